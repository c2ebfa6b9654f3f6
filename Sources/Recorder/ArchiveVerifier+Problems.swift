extension ArchiveVerifier {
    /// The problems one check found: the first `limit` messages and a count of all, so an archive
    /// with millions of bad rows costs a few strings, not millions (the rest are only counted).
    struct Problems {
        /// How many messages are kept.
        let limit: Int
        /// The first `limit` messages, in the order found.
        private(set) var kept: [String] = []
        /// Every problem found, kept or not.
        private(set) var count = 0

        /// An empty list keeping up to `limit` messages.
        init(limit: Int) {
            self.limit = limit
        }

        /// Counts a problem; its message is only made when it is kept.
        mutating func append(_ message: @autoclosure () -> String) {
            count += 1
            if kept.count < limit { kept.append(message()) }
        }
    }
}
