// Sweep results in SQLite, through GRDB. The schema (also in the README):
//
//   study(id, scenario, scenario_fingerprint, r70_version, seed, trials, design, command, created_at)
//       one row per sweep; `design` is the sweep's axes and points (JSON); `trials` is 0 for a
//       deterministic sweep. A sweep run again with the same scenario, seed, trials and design is the
//       same study: it resumes.
//   point(id, study_id, point_index, seconds, finished_at)          unique (study_id, point_index)
//   parameter(point_id, path, value_text, value)                    the point's value of each axis
//                                                                   (`value` NULL when not a number)
//   metric(point_id, metric, region, unit, mean, standard_error, lower95, upper95, p5, p50, p95,
//          worst5_mean)                                              unique (point_id, metric, region);
//                                                                   region '' for national metrics
//
// A point's rows are written in one transaction with its `point` row, so a point is in the file whole or
// not at all: a sweep killed at any moment resumes with the points it had finished, none twice.
import Foundation
import GRDB
import GridModel
import GridStudy

public struct SweepStudyKey: Sendable, Equatable {
    public var scenario: String
    public var fingerprint: String
    public var seed: UInt64
    public var trials: Int
    public var design: SweepDesign
    public init(scenario: String, fingerprint: String, seed: UInt64, trials: Int, design: SweepDesign) {
        self.scenario = scenario; self.fingerprint = fingerprint; self.seed = seed; self.trials = trials; self.design = design
    }
}


public final class SweepStore {
    let db: DatabaseQueue

    /// Opens (or creates) the database and its tables.
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        db = try DatabaseQueue(path: path, configuration: config)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("r70 sweep v1") { db in
            try db.execute(sql: """
                CREATE TABLE study (
                    id INTEGER PRIMARY KEY, scenario TEXT NOT NULL, scenario_fingerprint TEXT NOT NULL, r70_version TEXT NOT NULL,
                    seed INTEGER NOT NULL, trials INTEGER NOT NULL, design TEXT NOT NULL, command TEXT NOT NULL, created_at TEXT NOT NULL);
                CREATE TABLE point (
                    id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES study(id), point_index INTEGER NOT NULL,
                    seconds REAL NOT NULL, finished_at TEXT NOT NULL, UNIQUE (study_id, point_index));
                CREATE TABLE parameter (
                    point_id INTEGER NOT NULL REFERENCES point(id), path TEXT NOT NULL, value_text TEXT NOT NULL, value REAL,
                    PRIMARY KEY (point_id, path));
                CREATE TABLE metric (
                    point_id INTEGER NOT NULL REFERENCES point(id), metric TEXT NOT NULL, region TEXT NOT NULL, unit TEXT NOT NULL,
                    mean REAL, standard_error REAL, lower95 REAL, upper95 REAL, p5 REAL, p50 REAL, p95 REAL, worst5_mean REAL,
                    PRIMARY KEY (point_id, metric, region));
                """)
        }
        try migrator.migrate(db)
    }

    static func json(_ design: SweepDesign) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(design), as: UTF8.self)
    }

    /// The study of `key`: the existing one (to resume) or a new one.
    public func study(_ key: SweepStudyKey, command: String) throws -> Int64 {
        let design = try Self.json(key.design)
        return try db.write { db in
            if let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM study WHERE scenario = ? AND scenario_fingerprint = ? AND r70_version = ? AND seed = ? AND trials = ? AND design = ?
                ORDER BY id LIMIT 1
                """, arguments: [key.scenario, key.fingerprint, R70Version.string, Int64(bitPattern: key.seed), key.trials, design]) {
                return id
            }
            try db.execute(sql: "INSERT INTO study (scenario, scenario_fingerprint, r70_version, seed, trials, design, command, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [key.scenario, key.fingerprint, R70Version.string, Int64(bitPattern: key.seed), key.trials, design, command,
                                       ISO8601DateFormatter().string(from: Date())])
            return db.lastInsertedRowID
        }
    }

    /// The points of a study already finished.
    public func finishedPoints(study: Int64) throws -> Set<Int> {
        try db.read { db in Set(try Int.fetchAll(db, sql: "SELECT point_index FROM point WHERE study_id = ?", arguments: [study])) }
    }

    /// Records one finished point, whole, in one transaction.
    public func record(study: Int64, point: Int, design: SweepDesign, metrics: [SweepMetric], seconds: Double) throws {
        try db.write { db in
            try db.execute(sql: "INSERT INTO point (study_id, point_index, seconds, finished_at) VALUES (?, ?, ?, ?)",
                           arguments: [study, point, seconds, ISO8601DateFormatter().string(from: Date())])
            let id = db.lastInsertedRowID
            for (j, axis) in design.axes.enumerated() {
                let text = design.points[point][j]
                try db.execute(sql: "INSERT INTO parameter (point_id, path, value_text, value) VALUES (?, ?, ?, ?)",
                               arguments: [id, axis.path, text, Double(text)])
            }
            for m in metrics {
                func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
                try db.execute(sql: """
                    INSERT INTO metric (point_id, metric, region, unit, mean, standard_error, lower95, upper95, p5, p50, p95, worst5_mean)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, m.metric, m.region, m.unit, finite(m.mean), finite(m.standardError), finite(m.lower95), finite(m.upper95),
                                     finite(m.p5), finite(m.p50), finite(m.p95), finite(m.worst5Mean)])
            }
        }
    }

    /// Every metric of every finished point of a study, in point order.
    public func rows(study: Int64) throws -> [SweepRow] {
        try db.read { db in
            var parameters: [Int64: [String]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT p.id AS id, q.value_text AS v FROM point p JOIN parameter q ON q.point_id = p.id WHERE p.study_id = ? ORDER BY p.id, q.rowid
                """, arguments: [study]) {
                parameters[row["id"], default: []].append(row["v"])
            }
            return try Row.fetchAll(db, sql: """
                SELECT p.id AS id, p.point_index AS point_index, m.* FROM point p JOIN metric m ON m.point_id = p.id
                WHERE p.study_id = ? ORDER BY p.point_index, m.rowid
                """, arguments: [study]).map { r in
                SweepRow(pointIndex: r["point_index"], parameters: parameters[r["id"]] ?? [],
                         metric: SweepMetric(metric: r["metric"], region: r["region"], unit: r["unit"], mean: r["mean"] ?? .nan,
                                             standardError: r["standard_error"], lower95: r["lower95"], upper95: r["upper95"],
                                             p5: r["p5"], p50: r["p50"], p95: r["p95"], worst5Mean: r["worst5_mean"]))
            }
        }
    }
}

extension SweepStore {
    /// Records point files (`r70 sweep --point`) into `study`, skipping points already there and repeated
    /// files; refuses, naming the file, any file of another sweep. Returns how many points it recorded.
    public func record(pointFiles paths: [String], study: Int64, design: SweepDesign, scenario: Scenario, seed: UInt64, trials: Int) throws -> Int {
        var done = try finishedPoints(study: study), recorded = 0
        for path in paths {
            let p = try SweepPointPartial.read(path)
            if let problem = p.mismatch(scenario: scenario, seed: seed, trials: trials, design: design) { throw PartialError(file: path, problem: problem) }
            guard done.insert(p.point).inserted else { continue }
            try record(study: study, point: p.point, design: design, metrics: p.metrics, seconds: p.seconds)
            recorded += 1
        }
        return recorded
    }

    /// The study's tidy table: a row per point × metric × region, parameters in axis order.
    public func tidyCSV(study: Int64, design: SweepDesign) throws -> String {
        func field(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var text = "study,point," + design.axes.map { field($0.path) }.joined(separator: ",")
            + ",metric,region,unit,mean,standard_error,lower95,upper95,p5,p50,p95,worst5_mean\n"
        for r in try rows(study: study) {
            let m = r.metric
            let numbers = [m.mean, m.standardError, m.lower95, m.upper95, m.p5, m.p50, m.p95, m.worst5Mean].map { $0.map { $0.isFinite ? "\($0)" : "" } ?? "" }
            text += "\(study),\(r.pointIndex)," + r.parameters.map(field).joined(separator: ",") + ",\(field(m.metric)),\(field(m.region)),\(m.unit)," + numbers.joined(separator: ",") + "\n"
        }
        return text
    }
}

/// A sweep recorded in a database: what `r70 report` needs to draw it.
public struct SweepStudyRecord: Sendable {
    public var id: Int64
    public var scenario: String
    public var trials: Int
    public var design: SweepDesign
    public var createdAt: String
}

extension SweepStore {
    /// Every study in the database, oldest first.
    public func studies() throws -> [SweepStudyRecord] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, scenario, trials, design, created_at FROM study ORDER BY id").map { r in
                let text: String = r["design"]
                let design = try JSONDecoder().decode(SweepDesign.self, from: Data(text.utf8))
                return SweepStudyRecord(id: r["id"], scenario: r["scenario"], trials: r["trials"], design: design, createdAt: r["created_at"])
            }
        }
    }
}
