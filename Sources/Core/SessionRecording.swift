/// Where a running simulation sends what it records (the archive writer in Recorder; memory in tests).
///
/// Calls arrive in virtual-time order from one thread. The recorder may encode and write on
/// another thread; nothing it does may feed back into the simulation.
public protocol SessionRecording: AnyObject {
    /// An event, in stream order.
    func record(event: PipelineEvent)
    /// One frame of a stream. `packet` is given when the frame was already encoded on the
    /// simulation's path (the mic stream goes through the codec in the loop); otherwise the
    /// recorder encodes `samples` itself.
    func record(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16], packet: [UInt8]?)
    /// The VAD's verdict on one mic frame.
    func record(vadFrame frame: Int, time: SimInstant, probability: Double, speech: Bool)
    /// Virtual time has reached `time`: a good moment to commit (called at least once per second).
    func checkpoint(at time: SimInstant) throws
}
