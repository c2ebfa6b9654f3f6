/// Stable, process-independent hashing (FNV-1a, 64 bit) for anything persisted or compared across runs.
public enum StableHash {
    /// FNV-1a 64 over the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hasher = FNV1a64()
        hasher.combine(text)
        return hasher.value
    }
}

/// An incremental FNV-1a 64 hasher.
public struct FNV1a64: Sendable {
    /// The hash of everything combined so far.
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    /// A hasher in its initial state.
    public init() {}

    /// Mixes in the bytes of a string, then a separator byte so that ("ab","c") differs from ("a","bc").
    public mutating func combine(_ text: String) {
        for byte in text.utf8 { combine(byte: byte) }
        combine(byte: 0xFF)
    }

    /// Mixes in one byte.
    public mutating func combine(byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01B3
    }

    /// Mixes in a 64-bit integer, little-endian.
    public mutating func combine(_ number: Int64) {
        var v = UInt64(bitPattern: number)
        for _ in 0..<8 { combine(byte: UInt8(v & 0xFF)); v >>= 8 }
    }

    /// The hash as 16 lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
