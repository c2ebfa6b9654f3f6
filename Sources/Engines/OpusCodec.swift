import COpus
import Core

/// The `opus` codec: one libopus encoder and one decoder for one mono speech stream.
///
/// Each `encode` call turns one frame into one packet (at most 1275 bytes) and each `decode` call
/// turns one packet back into exactly one frame. Frames of a stream must go through one instance in
/// order (both sides keep state). A packet the decoder rejects, or one that holds a different
/// duration than the frame, is a thrown `CodecError`. Opus packets carry no checksum, so corruption
/// inside a well-formed packet decodes to noise rather than an error. An empty packet stands for a
/// lost or untransmitted frame (DTX) and decodes through libopus' packet-loss concealment.
public final class OpusCodec: FrameCodec {
    /// Samples per second (8000, 12000, 16000, 24000 or 48000).
    public let sampleRate: Int
    /// Samples in one frame (2.5, 5, 10, 20, 40 or 60 ms).
    public let samplesPerFrame: Int
    /// Target bitrate in bits per second.
    public let bitrate: Int
    /// Encoder complexity, 0 (fastest) to 10 (best).
    public let complexity: Int
    /// Whether the encoder sends tiny packets during silence (discontinuous transmission).
    public let dtx: Bool

    /// The complexity chosen by default. On espeak-ng speech at 16 kbit/s (release, one core;
    /// `Benchmarks/engines/run.sh`) 1 encodes about 480× real time, against 290× at 3 and 110× at
    /// 10, for 0.7-1.6 dB less SNR and the same packet size (~35 B): three streams stay well above
    /// 100× real time.
    public static let defaultComplexity = 1
    /// The largest packet Opus produces for one frame.
    public static let maxPacketBytes = 1275

    private let encoder: OpaquePointer
    private let decoder: OpaquePointer
    private var packetBuffer: [UInt8]
    private var frameBuffer: [Int16]

    public var name: String { "opus" }

    /// Creates a codec; throws `CodecError.library` naming the setting libopus rejected.
    public init(
        sampleRate: Int = 16000, samplesPerFrame: Int = 320, bitrate: Int = 16000,
        complexity: Int = OpusCodec.defaultComplexity, dtx: Bool = false
    ) throws {
        guard [8000, 12000, 16000, 24000, 48000].contains(sampleRate) else {
            throw CodecError.library("opus cannot run at \(sampleRate) Hz (use 8000, 12000, 16000, 24000 or 48000)")
        }
        let frameUnits = samplesPerFrame * 400 / sampleRate  // in 2.5 ms units
        guard samplesPerFrame > 0, frameUnits * sampleRate == samplesPerFrame * 400, [1, 2, 4, 8, 16, 24].contains(frameUnits) else {
            throw CodecError.library("opus frames must last 2.5, 5, 10, 20, 40 or 60 ms; \(samplesPerFrame) samples at \(sampleRate) Hz do not")
        }
        guard (0...10).contains(complexity) else { throw CodecError.library("opus complexity must be 0...10, not \(complexity)") }
        guard (500...512_000).contains(bitrate) else { throw CodecError.library("opus bitrate must be 500...512000 bit/s, not \(bitrate)") }
        self.sampleRate = sampleRate
        self.samplesPerFrame = samplesPerFrame
        self.bitrate = bitrate
        self.complexity = complexity
        self.dtx = dtx
        packetBuffer = [UInt8](repeating: 0, count: Self.maxPacketBytes)
        frameBuffer = [Int16](repeating: 0, count: samplesPerFrame)

        var status: Int32 = 0
        guard let encoder = opus_encoder_create(Int32(sampleRate), 1, copus_application_voip(), &status), status == copus_ok() else {
            throw CodecError.library("opus_encoder_create failed: \(Self.message(status))")
        }
        guard let decoder = opus_decoder_create(Int32(sampleRate), 1, &status), status == copus_ok() else {
            opus_encoder_destroy(encoder)
            throw CodecError.library("opus_decoder_create failed: \(Self.message(status))")
        }
        self.encoder = encoder
        self.decoder = decoder
        let settings: [(String, Int32)] = [
            ("bitrate", copus_set_bitrate(encoder, Int32(bitrate))),
            ("complexity", copus_set_complexity(encoder, Int32(complexity))),
            ("vbr", copus_set_vbr(encoder, 1)),
            ("dtx", copus_set_dtx(encoder, dtx ? 1 : 0)),
            ("signal", copus_set_signal_voice(encoder)),
            ("bandwidth", copus_set_bandwidth_wideband(encoder)),
        ]
        if let failed = settings.first(where: { $0.1 != copus_ok() }) {
            // deinit does not run for a failed init; free the handles here.
            opus_encoder_destroy(encoder)
            opus_decoder_destroy(decoder)
            throw CodecError.library("opus rejected the \(failed.0) setting: \(Self.message(failed.1))")
        }
    }

    deinit {
        opus_encoder_destroy(encoder)
        opus_decoder_destroy(decoder)
    }

    /// Encodes one frame of exactly `samplesPerFrame` samples into one packet.
    public func encode(_ frame: [Int16]) throws -> [UInt8] {
        guard frame.count == samplesPerFrame else {
            throw CodecError.library("opus frame of \(frame.count) samples, expected \(samplesPerFrame)")
        }
        let capacity = Int32(packetBuffer.count)
        let length = frame.withUnsafeBufferPointer { pcm in
            packetBuffer.withUnsafeMutableBufferPointer { out in
                opus_encode(encoder, pcm.baseAddress!, Int32(samplesPerFrame), out.baseAddress!, capacity)
            }
        }
        guard length >= 0 else { throw CodecError.library("opus_encode failed: \(Self.message(length))") }
        return Array(packetBuffer[0..<Int(length)])
    }

    /// Decodes one packet into one frame; an empty packet is concealed as a lost frame.
    public func decode(_ packet: [UInt8]) throws -> [Int16] {
        guard packet.count <= Self.maxPacketBytes else {
            throw CodecError.badPacket("opus packet of \(packet.count) bytes (at most \(Self.maxPacketBytes))")
        }
        let frameSize = Int32(samplesPerFrame)
        if !packet.isEmpty {
            let samples = packet.withUnsafeBufferPointer { opus_packet_get_nb_samples($0.baseAddress!, Int32($0.count), Int32(sampleRate)) }
            guard samples >= 0 else { throw CodecError.badPacket("opus packet rejected: \(Self.message(samples))") }
            guard samples == frameSize else {
                throw CodecError.badPacket("opus packet holds \(samples) samples, the frame is \(samplesPerFrame)")
            }
        }
        let decoded = packet.withUnsafeBufferPointer { data in
            frameBuffer.withUnsafeMutableBufferPointer { pcm in
                opus_decode(decoder, data.isEmpty ? nil : data.baseAddress, Int32(data.count), pcm.baseAddress!, frameSize, 0)
            }
        }
        guard decoded >= 0 else { throw CodecError.badPacket("opus packet rejected: \(Self.message(decoded))") }
        guard decoded == frameSize else {
            throw CodecError.badPacket("opus packet decoded to \(decoded) samples, the frame is \(samplesPerFrame)")
        }
        return frameBuffer
    }

    /// libopus' text for an error code.
    private static func message(_ code: Int32) -> String {
        guard let text = opus_strerror(code) else { return "error \(code)" }
        return String(cString: text) + " (\(code))"
    }
}
