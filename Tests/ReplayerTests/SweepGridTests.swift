import Replayer
import Testing

/// `--param` and `--shard` parsing.
struct SweepGridTests {
    @Test func integerRangeIsInclusive() throws {
        let p = try SweepGrid.parameter("pipeline.endpointing.silence_ms=300:1000:100")
        #expect(p.key == "pipeline.endpointing.silence_ms")
        #expect(p.values == ["300", "400", "500", "600", "700", "800", "900", "1000"])
    }

    @Test func rangeStopsAtTheLastStepNotPastStop() throws {
        #expect(try SweepGrid.parameter("a.b=300:1000:300").values == ["300", "600", "900"])
        #expect(try SweepGrid.parameter("a.b=5:5:1").values == ["5"])
        #expect(try SweepGrid.parameter("a.b=-200:0:100").values == ["-200", "-100", "0"])
    }

    @Test func decimalRangesAreExact() throws {
        // 0.1 + 0.1 + 0.1 is not 0.3 in binary floating point; the grid must still end at 0.3.
        #expect(try SweepGrid.parameter("a.b=0.1:0.3:0.1").values == ["0.1", "0.2", "0.3"])
        #expect(try SweepGrid.parameter("a.b=0.3:0.9:0.25").values == ["0.30", "0.55", "0.80"])
        #expect(try SweepGrid.parameter("a.b=-0.5:0.5:0.5").values == ["-0.5", "0.0", "0.5"])
        #expect(try SweepGrid.parameter("a.b=1:2:.5").values == ["1.0", "1.5", "2.0"])
    }

    @Test func listsKeepTheirOrder() throws {
        #expect(try SweepGrid.parameter("pipeline.endpointing.mode=smart,silence").values == ["smart", "silence"])
        #expect(try SweepGrid.parameter("a.b= 800 , 300").values == ["800", "300"])
        #expect(try SweepGrid.parameter("a.b=800").values == ["800"])
    }

    @Test func productVariesTheLastParameterFastest() throws {
        let grid = try SweepGrid(specs: ["a.x=1,2", "b.y=10:30:10"])
        #expect(grid.count == 6)
        #expect((0..<6).map(grid.label(at:)) == ["1/10", "1/20", "1/30", "2/10", "2/20", "2/30"])
        #expect(grid.overrides(at: 4) == ["a.x=2", "b.y=20"])
        #expect(grid.shortKeys == ["x", "y"])
        #expect(try SweepGrid(specs: ["a.x=1", "b.x=2"]).shortKeys == ["a.x", "b.x"])
    }

    @Test(arguments: [
        ("pipeline.endpointing.silence_ms", "expected KEY=START:STOP:STEP"),
        ("a.b=300:1000", "expected START:STOP:STEP"),
        ("a.b=300:1000:100:5", "expected START:STOP:STEP"),
        ("a.b=3x:10:1", "'3x' is not a number"),
        ("a.b=1e3:2e3:1", "is not a number"),
        ("a.b=300:1000:0", "step must be greater than 0"),
        ("a.b=300:1000:-100", "step must be greater than 0"),
        ("a.b=1000:300:100", "START is greater than STOP"),
        ("a.b=0:10000:1", "more than 10000"),
        ("a.b=", "no values"),
        ("a.b=1,,2", "empty value"),
        ("a.b=1,2,1", "listed twice"),
        ("a..b=1", "not a dotted key path"),
        ("=1", "not a dotted key path"),
    ])
    func badSpecsAreClearErrors(spec: String, message: String) {
        let text = sweepErrorText { _ = try SweepGrid.parameter(spec) }
        #expect(text?.contains(message) == true && text?.contains("--param") == true, "\(spec): \(text ?? "no error")")
    }

    @Test func gridErrors() throws {
        #expect(throws: ReplayError.self) { try SweepGrid(specs: []) }
        #expect(sweepErrorText { _ = try SweepGrid(specs: ["a.b=1,2", "a.b=3"]) }?.contains("swept twice") == true)
        // 200 × 100 = 20,000 points.
        #expect(sweepErrorText { _ = try SweepGrid(specs: ["a.b=1:200:1", "c.d=1:100:1"]) }?.contains("more than 10000 points") == true)
        let largest = try? SweepGrid(specs: ["a.b=1:100:1", "c.d=1:100:1"])
        #expect(largest?.count == 10_000)
    }

    @Test func shards() throws {
        let s = try SweepShard(parsing: "1/3")
        #expect(s.index == 1 && s.count == 3 && s.description == "1/3")
        #expect((0..<9).filter(s.contains) == [1, 4, 7])
        for bad in ["3/3", "-1/3", "1/0", "1", "a/b", "1/3/4"] {
            #expect(throws: ReplayError.self, "shard \(bad)") { try SweepShard(parsing: bad) }
        }
    }
}

/// The description of the error `body` throws, or nil if it does not throw.
func sweepErrorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}
