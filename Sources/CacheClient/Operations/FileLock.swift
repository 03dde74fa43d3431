import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive OS lock on a file (flock(2)), held until the lock is released or the process
/// ends, so two cron runs of the same job never overlap. The kernel drops it if the process dies.
public final class FileLock {
    /// The lock file.
    public let path: String
    private var descriptor: Int32

    /// Takes the lock, creating the file when missing. Without `wait`, throws `.busy` at once
    /// when another process holds it; with `wait`, blocks until it is free.
    public init(path: String, wait: Bool) throws {
        self.path = path
        try Endpoint.createDefaultDirectory(containing: path)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CacheError(.io, "Cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK {
                throw CacheError(.busy, "Another run holds the lock file \(path)",
                                 hint: "try again later, or pass --wait to wait for it")
            }
            throw CacheError(.io, "Cannot lock \(path): \(String(cString: strerror(code)))")
        }
        descriptor = fd
        // The holder's pid, for an operator wondering who has it; the lock itself is the flock.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
    }

    /// Releases the lock (also done when the value goes away).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
