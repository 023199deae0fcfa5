// Celeriac — a Celery-compatible job service in Swift.

import CeleriacCore
import Foundation
import Testing

/// The leader's plan with time moved by hand: grid ticks, catch-up, DST, start_time,
/// expires, one-off, and 10k schedules.
struct BeatPlanTests {
    static let saved = try! RFC3339.parse("2026-03-01T00:00:00Z")

    static func task(
        _ id: Int, _ value: ScheduleValue, lastRunAt: Date? = nil, oneOff: Bool = false, startTime: Date? = nil,
        expires: Date? = nil, saved: Date = saved
    ) -> PeriodicTask {
        PeriodicTask(
            id: id,
            fields: PeriodicTaskFields(
                name: "t\(id)", task: "celeriac.echo", expires: expires, oneOff: oneOff, startTime: startTime),
            schedule: ScheduleRow(id: id, value: value), lastRunAt: lastRunAt, dateChanged: saved)
    }

    static func at(_ text: String) -> Date { try! RFC3339.parse(text) }

    /// Walks the plan from `from` to `to` in `step` seconds, as the leader's loop would.
    static func run(_ plan: inout BeatPlan, from: Date, to: Date, step: TimeInterval = 1) -> [BeatPlan.Fire] {
        var fires: [BeatPlan.Fire] = []
        var now = from
        while now <= to {
            fires += plan.take(now: now, limit: 100_000).fires
            now = now.addingTimeInterval(step)
        }
        return fires
    }

    @Test func dailyCrontabAt0230InNewYorkFiresOnceOnBothTransitionDays() {
        let crontab = ScheduleValue.crontab(CrontabValue(minute: "30", hour: "2", timezone: "America/New_York"))
        for (day, expected) in [
            // Spring forward: 02:30 does not exist; it fires once at 03:00 EDT (07:00 UTC).
            ("2026-03-08", "2026-03-08T07:00:00Z"),
            // Fall back: 01:00–02:00 repeats, 02:30 happens once (EST, 07:30 UTC).
            ("2026-11-01", "2026-11-01T07:30:00Z"),
        ] {
            var plan = BeatPlan()
            let start = Self.at("\(day)T00:00:00Z")
            plan.load([Self.task(1, crontab, saved: start)])
            // Every minute over 34 hours around the change.
            let fires = Self.run(&plan, from: start, to: start.addingTimeInterval(34 * 3600), step: 60)
            let onDay = fires.filter { CeleryTime.format($0.tick).hasPrefix(day) }
            #expect(onDay.map(\.tick) == [Self.at(expected)], "\(day): \(fires.map { CeleryTime.format($0.tick) })")
            #expect(fires.count == 2)  // and the next day's
        }
    }

    @Test func everySecondFiresEachTickOnTheGridEvenWhenSentLate() {
        var plan = BeatPlan()
        let saved = Self.at("2026-03-01T00:00:00Z")
        plan.load([Self.task(1, .interval(IntervalValue(every: 1, period: .seconds)), saved: saved)])
        // Sent 300 ms late each time: ticks stay on whole seconds.
        let fires = Self.run(&plan, from: saved.addingTimeInterval(0.3), to: saved.addingTimeInterval(10.3))
        #expect(fires.map(\.tick) == (1...10).map { saved.addingTimeInterval(TimeInterval($0)) })
        #expect(fires.allSatisfy { !$0.catchUp && $0.lastRunAt == $0.tick })
    }

    @Test func ticksMissedWithinTheWindowAreEachSentAndOlderOnesOnce() {
        let saved = Self.at("2026-03-01T00:00:00Z")
        let every = ScheduleValue.interval(IntervalValue(every: 1, period: .seconds))
        // A failover: 6 s without a leader, all six ticks sent at once.
        var plan = BeatPlan(catchUpWindow: 15)
        plan.load([Self.task(1, every, lastRunAt: saved)])
        let afterFailover = plan.take(now: saved.addingTimeInterval(6.5)).fires
        #expect(afterFailover.map(\.tick) == (1...6).map { saved.addingTimeInterval(TimeInterval($0)) })
        // Beat down for an hour: one catch-up send, then the schedule goes on from it.
        var down = BeatPlan(catchUpWindow: 15)
        down.load([Self.task(1, every, lastRunAt: saved)])
        let back = saved.addingTimeInterval(3600.5)
        let caughtUp = down.take(now: back).fires
        #expect(caughtUp.count == 1)
        #expect(caughtUp.first?.catchUp == true && caughtUp.first?.lastRunAt == back)
        #expect(caughtUp.first?.tick == saved.addingTimeInterval(1))
        #expect(down.take(now: back.addingTimeInterval(0.5)).fires.isEmpty)
        #expect(down.take(now: back.addingTimeInterval(1)).fires.map(\.tick) == [back.addingTimeInterval(1)])
    }

    @Test func reloadKeepsTheLaterOfStoredAndSentLastRuns() {
        let saved = Self.at("2026-03-01T00:00:00Z")
        let task = Self.task(1, .interval(IntervalValue(every: 10, period: .seconds)), lastRunAt: saved)
        var plan = BeatPlan()
        plan.load([task])
        #expect(plan.take(now: saved.addingTimeInterval(10)).fires.count == 1)
        // The write-back has not landed: the row still says `saved`. Not sent again.
        plan.load([task])
        #expect(plan.take(now: saved.addingTimeInterval(11)).fires.isEmpty)
        #expect(plan.nextWake == saved.addingTimeInterval(20))
    }

    @Test func startTimeHoldsTheFirstFireAndExpiresDisablesUnsent() {
        let start = Self.at("2026-03-01T06:00:00Z")
        var plan = BeatPlan()
        plan.load([
            Self.task(1, .interval(IntervalValue(every: 1, period: .hours)), startTime: start),
            Self.task(2, .crontab(CrontabValue(minute: "15")), startTime: start),
            Self.task(3, .interval(IntervalValue(every: 1, period: .hours)), expires: Self.at("2026-03-01T00:30:00Z")),
        ])
        #expect(plan.take(now: Self.at("2026-03-01T05:59:59Z")) == BeatPlan.Step(fires: [], expired: [3]))
        #expect(plan.take(now: start).fires.map(\.periodicTaskID) == [1])
        #expect(plan.take(now: Self.at("2026-03-01T06:15:00Z")).fires.map(\.periodicTaskID) == [2])
    }

    @Test func aOneOffClockedTaskFiresOnceAndLeavesThePlan() {
        let clocked = Self.at("2026-03-01T12:00:00Z")
        var plan = BeatPlan()
        plan.load([Self.task(1, .clocked(ClockedValue(clockedTime: clocked)), oneOff: true)])
        #expect(plan.take(now: clocked.addingTimeInterval(-1)).fires.isEmpty)
        let fired = plan.take(now: clocked.addingTimeInterval(0.01)).fires
        #expect(fired.count == 1 && fired[0].oneOff && fired[0].tick == clocked)
        #expect(plan.count == 0 && plan.nextWake == nil)
        // A clocked time already past when loaded fires at once (catch-up), once.
        var late = BeatPlan()
        late.load([Self.task(2, .clocked(ClockedValue(clockedTime: clocked)), oneOff: true)])
        #expect(late.take(now: clocked.addingTimeInterval(3600)).fires.map(\.catchUp) == [true])
    }

    @Test func tenThousandSchedulesCostOnlyWhatIsDue() {
        let saved = Self.at("2026-03-01T00:00:00Z")
        var plan = BeatPlan()
        let tasks = (1...10_000).map { id in
            Self.task(id, .interval(IntervalValue(every: id % 2 == 0 ? 1 : 60, period: .seconds)), saved: saved)
        }
        plan.load(tasks)
        // One second: the 5,000 every-second tasks; a minute: the others too.
        #expect(plan.take(now: saved.addingTimeInterval(1), limit: 100_000).fires.count == 5_000)
        #expect(plan.take(now: saved.addingTimeInterval(1.5), limit: 100_000).fires.isEmpty)
        let minute = Self.run(&plan, from: saved.addingTimeInterval(2), to: saved.addingTimeInterval(60))
        #expect(minute.count == 5_000 * 59 + 5_000)
    }

    @Test func derivedTaskIDsAreStableUUIDsAndDifferPerTick() {
        let a = TaskID.derived(from: "celeriac-beat/1/1000")
        #expect(a == TaskID.derived(from: "celeriac-beat/1/1000"))
        #expect(a != TaskID.derived(from: "celeriac-beat/1/2000") && a != TaskID.derived(from: "celeriac-beat/2/1000"))
        #expect(a.count == 36 && Array(a)[14] == "8")
        #expect(UUID(uuidString: a) != nil)
        let many = Set((0..<100_000).map { TaskID.derived(from: "celeriac-beat/\($0 % 50)/\($0)") })
        #expect(many.count == 100_000)
    }
}
