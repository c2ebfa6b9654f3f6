import Core
import Engines

/// The decoders for every codec an archive may hold (`pcm16` built in, `opus` via libopus).
public enum ArchiveCodecs {
    /// A `SessionArchive.DecoderFactory` that knows Opus.
    public static func decoder(codec: String, format: AudioFormat) throws -> (any FrameCodec)? {
        switch codec {
        case "opus": return try OpusCodec(sampleRate: format.sampleRate, samplesPerFrame: format.samplesPerFrame)
        case "pcm16": return PCM16Codec(samplesPerFrame: format.samplesPerFrame)
        default: return nil
        }
    }
}
