import Synchronization

/// Uniform draws in `0..<1` for poll jitter. Jitter needs spread, not secrecy: the system generator
/// costs a getrandom(2) system call per draw (one per poll), this one a few instructions.
/// SplitMix64 over an atomic counter, seeded once from the system generator.
public final class JitterRandom: Sendable {
    private let state: Atomic<UInt64>

    public init(seed: UInt64 = .random(in: .min ... .max)) {
        state = Atomic(seed)
    }

    public func next() -> Double {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1p-53
    }
}
