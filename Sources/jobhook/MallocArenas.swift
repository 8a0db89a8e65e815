#if canImport(Glibc)
import Glibc

/// glibc gives each thread that contends for the heap its own arena (up to 8 per core) and keeps
/// freed memory in each. jobhook's threads (Swift's pool, the curl thread, SQLite's) allocate
/// small, short-lived objects, so extra arenas hold ~3 MB at 10,000 watched jobs and buy no
/// measurable speed (bench/run: same deliveries/s with one arena). One arena, unless the operator
/// chose otherwise with `MALLOC_ARENA_MAX`.
enum MallocArenas {
    static func limit() {
        guard getenv("MALLOC_ARENA_MAX") == nil,
              let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")  // RTLD_DEFAULT
        else { return }
        // `mallopt` is in <malloc.h>, which the Glibc module does not export.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mArenaMax: Int32 = -8
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mArenaMax, 1)
    }
}
#else
enum MallocArenas {
    static func limit() {}
}
#endif
