import Testing

@testable import LiveGateHTTP

@Suite("Deadline wheel: never early, at most one slot late, removable")
struct DeadlineWheelTests {
    let origin = ContinuousClock.now
    func at(_ ms: Int) -> ContinuousClock.Instant { origin + .milliseconds(ms) }

    @Test("an entry is due once its deadline has passed, not before, and only once")
    func due() {
        var wheel = DeadlineWheel<String>(slot: .milliseconds(5), origin: origin)
        wheel.insert("a", id: 1, at: at(12))
        wheel.insert("b", id: 2, at: at(15))
        wheel.insert("c", id: 3, at: at(2_000))
        #expect(wheel.due(at: at(11)).isEmpty)
        #expect(wheel.due(at: at(14)).isEmpty, "12 ms rounds up to the slot starting at 15")
        #expect(Set(wheel.due(at: at(15))) == ["a", "b"])
        #expect(wheel.due(at: at(16)).isEmpty && wheel.count == 1)
        #expect(wheel.due(at: at(1_999)).isEmpty)
        #expect(wheel.due(at: at(5_000)) == ["c"], "a sweep long after walks the few filled slots")
        #expect(wheel.count == 0)
    }

    @Test("a removed entry never comes due; inserting again moves it; a past deadline is due when the next slot begins")
    func removeAndMove() {
        var wheel = DeadlineWheel<String>(slot: .milliseconds(5), origin: origin)
        wheel.insert("a", id: 1, at: at(10))
        wheel.remove(1)
        wheel.insert("b", id: 2, at: at(10))
        wheel.insert("b2", id: 2, at: at(30))
        #expect(wheel.due(at: at(20)).isEmpty)
        #expect(wheel.due(at: at(30)) == ["b2"])
        wheel.insert("late", id: 3, at: at(1))
        #expect(wheel.due(at: at(34)).isEmpty)
        #expect(wheel.due(at: at(35)) == ["late"])
    }
}
