/// SplitMix64: expands one 64-bit seed into a stream of well-mixed seeds.
///
/// Used only to seed `Xoshiro256StarStar` and to derive per-stage seeds from the session seed
/// in a fixed order (TigerBeetle's VOPR does the same), so a stdlib change cannot shift results.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256**: the PRNG every stage owns. Seeded from SplitMix64, never from the system.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator from a 64-bit seed (expanded with SplitMix64).
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) built from the top 53 bits (no stdlib sampling involved).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal draw (Box–Muller on two uniform draws).
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), 0x1.0p-53)
        let u2 = nextUnit()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }

    /// True with probability `numerator / denominator` (integer ratios, as TigerBeetle does).
    public mutating func chance(_ numerator: UInt64, in denominator: UInt64) -> Bool {
        precondition(denominator > 0, "chance with a zero denominator")
        return next() % denominator < numerator
    }
}

/// Derives the seed of each component from the session seed, in a fixed order.
///
/// Components are named; the derivation mixes the root seed with a stable FNV-1a hash of the name
/// (never `hashValue`, which Swift randomizes per process).
public enum SeedDerivation {
    /// The seed for `component` within a session seeded with `root`.
    public static func seed(root: UInt64, component: String) -> UInt64 {
        var mixer = SplitMix64(seed: root ^ StableHash.fnv1a64(component))
        return mixer.next()
    }
}

import RealModule
