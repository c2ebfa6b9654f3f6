import CSndfile
import Foundation

/// Owns one open libsndfile handle (`SNDFILE*`) and closes it in `deinit`.
final class SndfileHandle {
    /// The file's path, for messages.
    let path: String
    /// Rate, channels and length as libsndfile reports them.
    private(set) var info: SF_INFO
    private var handle: OpaquePointer?

    /// Opens `path` for reading; any format libsndfile reads.
    static func openForReading(_ path: String) throws -> SndfileHandle {
        // Before libsndfile opens it: open() of a FIFO would block for ever.
        try InputFile.checkRegular(path, what: "an audio file")
        var info = SF_INFO()
        guard let handle = sf_open(path, csndfile_mode_read(), &info) else {
            throw ArchiveError.audioFile(path: path, detail: "cannot read audio: \(lastOpenError())")
        }
        return SndfileHandle(path: path, handle: handle, info: info)
    }

    /// Creates (or replaces) `path` as 16-bit PCM WAV with `channels` at `sampleRate`.
    static func createWAV(_ path: String, sampleRate: Int, channels: Int) throws -> SndfileHandle {
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        info.format = csndfile_format_wav_pcm16()
        guard let handle = sf_open(path, csndfile_mode_write(), &info) else {
            throw ArchiveError.audioFile(path: path, detail: "cannot write WAV: \(lastOpenError())")
        }
        return SndfileHandle(path: path, handle: handle, info: info)
    }

    private init(path: String, handle: OpaquePointer, info: SF_INFO) {
        self.path = path
        self.handle = handle
        self.info = info
    }

    deinit {
        if let handle { sf_close(handle) }
    }

    /// libsndfile's message for the last failed `sf_open`.
    private static func lastOpenError() -> String {
        guard let message = sf_strerror(nil) else { return "unknown error" }
        return String(cString: message)
    }

    private func errorMessage() -> String {
        guard let handle, let message = sf_strerror(handle) else { return "unknown error" }
        return String(cString: message)
    }

    /// Reads every remaining frame as interleaved 16-bit samples (float files are scaled).
    func readAllInterleaved() throws -> [Int16] {
        guard let handle else { preconditionFailure("read from a closed sound file") }
        let channels = Int(info.channels)
        var out: [Int16] = []
        if info.frames > 0, info.frames < Int64(Int32.max) { out.reserveCapacity(Int(info.frames) * channels) }
        let chunkFrames = 65_536
        var chunk = [Int16](repeating: 0, count: chunkFrames * channels)
        while true {
            let got = chunk.withUnsafeMutableBufferPointer { sf_readf_short(handle, $0.baseAddress, Int64(chunkFrames)) }
            if got <= 0 { break }
            out.append(contentsOf: chunk[0..<(Int(got) * channels)])
        }
        if sf_error(handle) != 0 {
            throw ArchiveError.audioFile(path: path, detail: "read failed: \(errorMessage())")
        }
        return out
    }

    /// Reads every remaining frame of the channels `indices` (each a valid channel), one array per
    /// index, without holding the other channels.
    func readChannels(_ indices: [Int]) throws -> [[Int16]] {
        guard let handle else { preconditionFailure("read from a closed sound file") }
        let channels = Int(info.channels)
        var out = [[Int16]](repeating: [], count: indices.count)
        if info.frames > 0, info.frames < Int64(Int32.max) {
            for i in out.indices { out[i].reserveCapacity(Int(info.frames)) }
        }
        let chunkFrames = 65_536
        var chunk = [Int16](repeating: 0, count: chunkFrames * channels)
        while true {
            let got = Int(chunk.withUnsafeMutableBufferPointer { sf_readf_short(handle, $0.baseAddress, Int64(chunkFrames)) })
            if got <= 0 { break }
            for (k, c) in indices.enumerated() {
                for i in 0..<got { out[k].append(chunk[i * channels + c]) }
            }
        }
        if sf_error(handle) != 0 {
            throw ArchiveError.audioFile(path: path, detail: "read failed: \(errorMessage())")
        }
        return out
    }

    /// Writes interleaved 16-bit samples (a whole number of frames).
    func writeInterleaved(_ samples: ArraySlice<Int16>) throws {
        guard let handle else { preconditionFailure("write to a closed sound file") }
        let channels = Int(info.channels)
        precondition(samples.count % channels == 0, "interleaved samples must fill whole frames")
        let frames = Int64(samples.count / channels)
        let written = samples.withUnsafeBufferPointer { sf_writef_short(handle, $0.baseAddress, frames) }
        if written != frames {
            throw ArchiveError.audioFile(path: path, detail: "write failed: \(errorMessage())")
        }
    }

    /// Closes the file, reporting a failure to finish it (e.g. a full disk while writing the header).
    func close() throws {
        guard let handle else { return }
        self.handle = nil
        let status = sf_close(handle)
        if status != 0 {
            throw ArchiveError.audioFile(path: path, detail: "cannot finish file (libsndfile error \(status))")
        }
    }
}
