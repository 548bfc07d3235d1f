// Slurm job scripts for a sharded study: a job array with one shard per task, and a merge job that runs
// after it (`--dependency=afterok`). Only text is made here; the command line writes and submits it.

/// A study to run on a Slurm cluster.
public struct SlurmJob: Sendable {
    /// The r70 executable and the scenario, as absolute paths the cluster's nodes can read.
    public var r70: String
    public var scenario: String
    public var scenarioName: String
    /// `--set` overrides, as given.
    public var overrides: [String]
    public var trials: Int
    public var seed: UInt64
    public var shards: Int
    /// The job's folder (absolute): the scripts, `parts/`, `logs/` and `result/` go there.
    public var folder: String
    public var partition: String?
    /// Time limit of each task, as sbatch takes it (e.g. 01:00:00).
    public var time: String
    public var cpusPerTask: Int
    /// A sweep instead of one study: the `--vary`/`--lhs` arguments, the number of points (one task each) and
    /// the database that the merge job alone writes.
    public var sweep: (arguments: [String], points: Int, database: String)?

    public init(r70: String, scenario: String, scenarioName: String, overrides: [String], trials: Int, seed: UInt64, shards: Int,
                folder: String, partition: String?, time: String, cpusPerTask: Int) {
        self.r70 = r70; self.scenario = scenario; self.scenarioName = scenarioName; self.overrides = overrides; self.trials = trials
        self.seed = seed; self.shards = shards; self.folder = folder; self.partition = partition; self.time = time; self.cpusPerTask = cpusPerTask
    }

    /// A word for the shell, quoted when it needs to be.
    static func quote(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0) }) && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The job name: `r70-` and the scenario's name in the characters Slurm shows well.
    var jobName: String { "r70-" + String(scenarioName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(40)) }

    func header(_ name: String, output: String, array: Bool, cpus: Int) -> String {
        var h = "#!/bin/bash\n"
        h += "#SBATCH --job-name=\(name)\n"
        if array { h += "#SBATCH --array=1-\(tasks)\n" }
        h += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=\(cpus)\n#SBATCH --time=\(time)\n"
        h += "#SBATCH --output=\(Self.quote(folder + "/logs/" + output))\n"
        if let partition { h += "#SBATCH --partition=\(Self.quote(partition))\n" }
        return h + "set -euo pipefail\n"
    }

    var tasks: Int { sweep?.points ?? shards }
    var sets: [String] { overrides.flatMap { ["--set", $0] } }

    /// The job array: task i runs shard i of `shards` into `parts/part-i.json`, or, for a sweep, point i into
    /// `parts/point-i.json`.
    public var arrayScript: String {
        if let sweep {
            var s = header(jobName, output: "point-%a.out", array: true, cpus: cpusPerTask)
            s += "# Point ${SLURM_ARRAY_TASK_ID} of a sweep of \(sweep.points) points (\(trials > 0 ? "\(trials) trial years each" : "deterministic"), seed \(seed)); written by r70 slurm.\n"
            let command = [r70, "sweep", scenario] + sweep.arguments + (trials > 0 ? ["--trials", String(trials)] : []) + ["--seed", String(seed),
                           "--point", "${SLURM_ARRAY_TASK_ID}", "--partial-out", folder + "/parts/point-${SLURM_ARRAY_TASK_ID}.json",
                           "--threads", String(cpusPerTask), "--quiet"] + sets
            return s + "exec " + command.map { $0.contains("${SLURM_ARRAY_TASK_ID}") ? "\"" + $0 + "\"" : Self.quote($0) }.joined(separator: " ") + "\n"
        }
        var s = header(jobName, output: "shard-%a.out", array: true, cpus: cpusPerTask)
        s += "# Shard ${SLURM_ARRAY_TASK_ID} of \(shards) of a study of \(trials) trial years (seed \(seed)); written by r70 slurm.\n"
        var command = [r70, "run", scenario, "--trials", String(trials), "--seed", String(seed),
                       "--shard", "${SLURM_ARRAY_TASK_ID}/\(shards)", "--partial-out", folder + "/parts/part-${SLURM_ARRAY_TASK_ID}.json",
                       "--threads", String(cpusPerTask), "--quiet"]
        for o in overrides { command += ["--set", o] }
        s += "exec " + command.map { $0.contains("${SLURM_ARRAY_TASK_ID}") ? "\"" + $0 + "\"" : Self.quote($0) }.joined(separator: " ") + "\n"
        return s
    }

    /// The merge job: every shard's part into `result/study.json`, and the tables into its log; for a sweep,
    /// every point's file into the database.
    public var mergeScript: String {
        if let sweep {
            var s = header(jobName + "-merge", output: "merge.out", array: false, cpus: 1)
            s += "# Records the \(sweep.points) points into \(Self.quote(sweep.database)) (this job alone writes it); written by r70 slurm.\n"
            let command = [r70, "sweep", scenario] + sweep.arguments + (trials > 0 ? ["--trials", String(trials)] : []) + ["--seed", String(seed),
                           "--db", sweep.database, "--from-parts", folder + "/parts", "--quiet"] + sets
            return s + "exec " + command.map(Self.quote).joined(separator: " ") + "\n"
        }
        var s = header(jobName + "-merge", output: "merge.out", array: false, cpus: 1)
        s += "# Merges the \(shards) shards of \(Self.quote(folder + "/run-shards.sbatch")); written by r70 slurm.\n"
        let parts = (1...shards).map { Self.quote(folder + "/parts/part-\($0).json") }.joined(separator: " ")
        let result = Self.quote(folder + "/result/study.json")
        s += "mkdir -p \(Self.quote(folder + "/result"))\n"
        s += "\(Self.quote(r70)) merge \(parts) --json > \(result).tmp\nmv \(result).tmp \(result)\n"
        s += "exec \(Self.quote(r70)) merge \(parts)\n"   // the tables, into this job's log
        return s
    }

    /// Submits the array, then the merge to run once every task has succeeded; prints both job ids.
    public var submitScript: String {
        """
        #!/bin/bash
        # Submits the shards (a job array) and the merge that waits for all of them; written by r70 slurm.
        set -euo pipefail
        cd \(Self.quote(folder))
        array=$(sbatch --parsable run-shards.sbatch)
        array=${array%%;*}
        merge=$(sbatch --parsable --dependency=afterok:$array merge.sbatch)
        merge=${merge%%;*}
        echo "$array $merge"

        """
    }
}
