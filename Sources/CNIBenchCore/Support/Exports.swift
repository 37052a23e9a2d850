// Until the executable imports each target it uses, CNIBenchCore's clients (the cnibench
// commands, the tests) see ProcessKit's API (Interrupt, Prerequisites, Processes) through it.
@_exported import ProcessKit
