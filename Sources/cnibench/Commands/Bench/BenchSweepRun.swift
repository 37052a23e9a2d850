import ArgumentParser
import Foundation
import Logging
import Measure
import ProcessKit
import Results

extension BenchMatrixCommand {
    /// `--sweep`: every point measured (interleaved in one bench, or a bench per point in turn),
    /// then DIR/BASE.{json,md,svg}.
    func runSweep(_ spec: BenchSweepSpec, _ opts: BenchOptions) throws {
        var logger = Logger(label: "cnibench.bench.sweep")
        logger.logLevel = diagnostics.verbose || Diagnostics.verbose ? .debug : .info
        let sweep: BenchSweep
        do { sweep = try BenchSweep(spec: spec, options: opts, order: try serviceBench.order(), logger: logger) } catch let e
            as BenchInputError
        {
            throw ValidationError(e.description)
        }
        let base = basename ?? "sweep-\(spec.key.rawValue)-" + ResultFiles.defaultBasename(Date()).dropFirst("bench-".count)
        sweep.willRun = { what, engine in
            print("\(what): \(engine.units.count) runs to build")
            engine.progress = { p in
                guard let outcome = p.outcome else { return }
                print("  [\(p.done)/\(p.total)] round \(p.round)/\(p.rounds) \(p.unit) \(p.path.rawValue) \(p.test.rawValue): \(outcome)")
            }
        }
        sweep.didRun = { r in
            for b in r.builds ?? [] {
                print(String(format: "  up %@: %.2f s (netfilter loads %.2f s)", b.unit, b.upSeconds, b.netfilterSeconds))
            }
        }
        Interrupt.install()
        defer { Interrupt.restore() }
        let result: BenchSweepResult
        do { result = try sweep.run() } catch is Interrupted {
            print("interrupted before a point finished; everything built has been removed")
            throw ExitCode(130)
        } catch let e as BenchInputError {
            throw ValidationError(e.description)
        }
        for p in try BenchSweepReport.write(result, directory: out, basename: base) { print("wrote \(p)") }
        if !result.complete { throw ExitCode(130) }
    }
}
