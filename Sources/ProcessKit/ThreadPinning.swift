import CNetShim

/// Pins the calling thread to one CPU (sched_setaffinity on the thread), as the packet
/// generator's sender and receiver threads are pinned so that a run's placement is the one
/// recorded. Returns false when the kernel refused (the CPU is not in our allowed set).
@discardableResult
public func pinCurrentThread(to cpu: Int) -> Bool {
    cnb_pin_thread(Int32(cpu)) == 0
}
