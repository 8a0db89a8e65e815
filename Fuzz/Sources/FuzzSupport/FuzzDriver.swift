import CLibFuzzer

/// Runs libFuzzer on `callback` with the process's arguments: the body of each target's
/// `<Target>_main`, which SwiftPM makes the program's `main` (see CLibFuzzer.h).
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
