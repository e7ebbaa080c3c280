//! The `fingertip` command line: parses arguments and calls the library.
//! Exit codes: 0 success, 1 `check` found duplicates, 2 the input could not
//! be analysed (or bad usage).

use clap::{Args, Parser, Subcommand, ValueEnum};
use fingertip::facts::external::ExternalSignatures;
use fingertip::inspect::{self, InspectReport};
use fingertip::reader::Limits;
use fingertip::{cluster, report, scan};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Find Android apps that duplicate each other's functionality; inspect any APK.
#[derive(Parser)]
#[command(name = "fingertip", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode one APK: manifest, resources, components, permissions, anomalies.
    Inspect(InspectArgs),
    /// List the screens of one APK: activities, their layouts, widgets, roles.
    Screens(ScreensArgs),
    /// Analyse every APK under the given paths in parallel into an index.
    Scan(ScanCmd),
    /// Group apps that duplicate each other's functionality.
    Cluster(ClusterCmd),
    /// Compare two APKs, dimension by dimension.
    Compare(CompareCmd),
    /// Check a new APK against a collection (exit 0: no duplicate, 1: duplicates, 2: error).
    Check(CheckCmd),
}

/// How to analyse many APKs.
#[derive(Args)]
struct BatchArgs {
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Give up on one APK after this many seconds (0: never).
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    timeout_per_apk: f64,
    /// Extra SDK signatures (Exodus or LibChecker JSON). Repeatable.
    #[arg(long, value_name = "FILE")]
    signatures: Vec<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Args)]
struct ScanCmd {
    /// APK files and folders (walked recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The index to write (re-used when it exists).
    #[arg(
        short,
        long,
        value_name = "INDEX",
        default_value = "fingertip-index.json"
    )]
    output: PathBuf,
    #[command(flatten)]
    batch: BatchArgs,
}

#[derive(Args)]
struct ClusterCmd {
    /// APK files, folders, or index files written by `scan`.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Write the report here instead of standard output (with `--format
    /// csv`, a folder or a path ending in `/` gets apps.csv, clusters.csv
    /// and pairs.csv).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The table `--format csv` writes.
    #[arg(long, value_enum, value_name = "KIND", default_value_t = CsvKindArg::Clusters)]
    csv_kind: CsvKindArg,
    /// Similarity at or above which apps are duplicates.
    #[arg(long, value_name = "T", default_value_t = fingertip::cluster::DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Re-use and update this index for the APKs scanned.
    #[arg(long, value_name = "INDEX")]
    index: Option<PathBuf>,
    #[command(flatten)]
    batch: BatchArgs,
}

#[derive(Args)]
struct CompareCmd {
    /// First APK.
    a: PathBuf,
    /// Second APK.
    b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Similarity at or above which the two are called duplicates.
    #[arg(long, value_name = "T", default_value_t = fingertip::cluster::DEFAULT_THRESHOLD)]
    threshold: f64,
    #[command(flatten)]
    batch: BatchArgs,
}

#[derive(Args)]
struct CheckCmd {
    /// The new APK.
    apk: PathBuf,
    /// The collection: APK files, folders or index files.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    against: Vec<PathBuf>,
    /// Similarity at or above which an app duplicates the new one.
    #[arg(long, value_name = "T", default_value_t = fingertip::cluster::DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Write the report here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    batch: BatchArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// A readable report.
    Text,
    /// The machine contract (see docs/cluster-json.md).
    Json,
    /// A short Markdown summary for a pull-request comment or memo.
    Md,
    /// Spreadsheet tables (see --csv-kind; docs/report-formats.md).
    Csv,
    /// SARIF 2.1.0 for code-scanning systems.
    Sarif,
    /// One self-contained HTML page (pictures, sortable tables; use with -o).
    Html,
}

/// Which table `cluster --format csv` writes.
#[derive(Clone, Copy, ValueEnum)]
enum CsvKindArg {
    /// One row per input file.
    Apps,
    /// One row per cluster.
    Clusters,
    /// One row per similar pair.
    Pairs,
}

impl CsvKindArg {
    fn kind(self) -> report::csv::CsvKind {
        match self {
            CsvKindArg::Apps => report::csv::CsvKind::Apps,
            CsvKindArg::Clusters => report::csv::CsvKind::Clusters,
            CsvKindArg::Pairs => report::csv::CsvKind::Pairs,
        }
    }
}

#[derive(Args)]
struct ScreensArgs {
    /// The APK to read.
    apk: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScreensFormat::Text)]
    format: ScreensFormat,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScreensFormat {
    /// A readable listing.
    Text,
    /// A JSON array of screen objects.
    Json,
}

#[derive(Args)]
struct InspectArgs {
    /// The APK to inspect.
    apk: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// How much to analyse: `manifest` (manifest, resources, signing: quick
    /// triage), `code` (also code, SDKs, native libraries, capabilities,
    /// endpoints) or `full` (also screens).
    #[arg(long, value_enum, default_value_t = ScopeArg::Full)]
    scope: ScopeArg,
    /// Extra SDK signatures: an Exodus Privacy tracker list or LibChecker
    /// rules file (JSON; the format is detected). Repeatable.
    #[arg(long, value_name = "FILE")]
    signatures: Vec<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScopeArg {
    /// Manifest, resources and signing only.
    Manifest,
    /// Everything but screens (no layout decoding or activity linking).
    Code,
    /// Everything.
    Full,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A readable summary.
    Text,
    /// The machine contract (see docs/inspect-json.md).
    Json,
    /// The decoded AndroidManifest.xml.
    Xml,
}

/// Safety limits for hostile files (defaults suit real apps).
#[derive(Args)]
struct LimitArgs {
    /// Largest input file, in bytes.
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Most zip entries considered.
    #[arg(long, value_name = "N")]
    max_entries: Option<usize>,
    /// Largest inflated size of one entry, in bytes.
    #[arg(long, value_name = "BYTES")]
    max_entry_size: Option<u64>,
    /// Largest inflated size summed over one archive, in bytes.
    #[arg(long, value_name = "BYTES")]
    max_total_inflated: Option<u64>,
    /// Largest compression ratio accepted (zip-bomb guard).
    #[arg(long, value_name = "RATIO")]
    max_compression_ratio: Option<u64>,
    /// Longest entry name accepted.
    #[arg(long, value_name = "CHARS")]
    max_name_len: Option<usize>,
    /// Deepest archive-in-archive nesting opened.
    #[arg(long, value_name = "N")]
    max_nesting: Option<usize>,
}

impl LimitArgs {
    fn to_limits(&self) -> Limits {
        let mut l = Limits::default();
        if let Some(v) = self.max_file_size {
            l.max_file_size = v;
        }
        if let Some(v) = self.max_entries {
            l.max_entries = v;
        }
        if let Some(v) = self.max_entry_size {
            l.max_entry_size = v;
        }
        if let Some(v) = self.max_total_inflated {
            l.max_total_inflated = v;
        }
        if let Some(v) = self.max_compression_ratio {
            l.max_compression_ratio = v;
        }
        if let Some(v) = self.max_name_len {
            l.max_name_len = v;
        }
        if let Some(v) = self.max_nesting {
            l.max_nesting = v;
        }
        l
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(args) => run_inspect(&args),
        Command::Screens(args) => run_screens(&args),
        Command::Scan(args) => run_scan(&args),
        Command::Cluster(args) => run_cluster(&args),
        Command::Compare(args) => run_compare(&args),
        Command::Check(args) => run_check(&args),
    }
}

impl BatchArgs {
    fn to_options(&self) -> Result<scan::ScanOptions, ExitCode> {
        let mut inspect = inspect::Options::default();
        for path in &self.signatures {
            match ExternalSignatures::load(path) {
                Ok(sig) => inspect.signatures.push(sig),
                Err(e) => {
                    eprintln!("fingertip: {}: {e}", path.display());
                    return Err(ExitCode::from(2));
                }
            }
        }
        let timeout = (self.timeout_per_apk > 0.0)
            .then(|| std::time::Duration::try_from_secs_f64(self.timeout_per_apk).ok())
            .flatten();
        Ok(scan::ScanOptions {
            limits: self.limits.to_limits(),
            inspect: std::sync::Arc::new(inspect),
            jobs: self.jobs,
            timeout,
            progress: !self.quiet,
        })
    }
}

/// Analyses `paths` (APKs, folders, indexes); per-file errors go to stderr.
fn gather(
    paths: &[PathBuf],
    index: Option<&std::path::Path>,
    write: bool,
    options: &scan::ScanOptions,
) -> Result<(Vec<scan::AppRecord>, scan::ScanStats), ExitCode> {
    match scan::gather(paths, index, write, options) {
        Ok((records, stats)) => {
            for r in &records {
                if let Some(e) = &r.error {
                    eprintln!("fingertip: {}: {e}", r.file);
                }
            }
            Ok((records, stats))
        }
        Err(e) => {
            eprintln!("fingertip: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn run_scan(args: &ScanCmd) -> ExitCode {
    let options = match args.batch.to_options() {
        Ok(o) => o,
        Err(code) => return code,
    };
    let (_, stats) = match gather(&args.paths, Some(&args.output), true, &options) {
        Ok(r) => r,
        Err(code) => return code,
    };
    eprintln!(
        "{}",
        report::scan_line(&stats, &args.output.display().to_string())
    );
    if stats.errors == stats.files {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn run_cluster(args: &ClusterCmd) -> ExitCode {
    let options = match args.batch.to_options() {
        Ok(o) => o,
        Err(code) => return code,
    };
    let (records, stats) = match gather(&args.paths, args.index.as_deref(), true, &options) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let copts = cluster::ClusterOptions {
        threshold: args.threshold,
        ..cluster::ClusterOptions::default()
    };
    let result = cluster::cluster(&records, &copts);
    if let (ReportFormat::Csv, Some(dir)) = (args.format, args.output.as_deref()) {
        if is_dir_target(dir) {
            if let Err(code) = write_csv_dir(&result, dir) {
                return code;
            }
            if stats.errors == stats.files {
                eprintln!("fingertip: no file could be analysed");
                return ExitCode::from(2);
            }
            return ExitCode::SUCCESS;
        }
    }
    let text = match args.format {
        ReportFormat::Text => report::cluster_text(&result),
        ReportFormat::Json => json_text(&result),
        ReportFormat::Md => report::markdown::cluster_markdown(&result),
        ReportFormat::Csv => report::csv::cluster_csv(&result, args.csv_kind.kind()),
        ReportFormat::Sarif => report::sarif::cluster_sarif(&result),
        ReportFormat::Html => report::html::cluster_html(&result),
    };
    if let Err(code) = emit(&text, args.output.as_deref()) {
        return code;
    }
    if stats.errors == stats.files {
        eprintln!("fingertip: no file could be analysed");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn run_compare(args: &CompareCmd) -> ExitCode {
    let options = match args.batch.to_options() {
        Ok(o) => o,
        Err(code) => return code,
    };
    let paths = [args.a.clone(), args.b.clone()];
    let records: Vec<scan::AppRecord> = paths
        .iter()
        .map(|p| scan::gather(std::slice::from_ref(p), None, false, &options))
        .filter_map(|r| match r {
            Ok((mut recs, _)) => recs.pop(),
            Err(e) => {
                eprintln!("fingertip: {e}");
                None
            }
        })
        .collect();
    if records.len() != 2 {
        return ExitCode::from(2);
    }
    for r in &records {
        if let Some(e) = &r.error {
            eprintln!("fingertip: {}: {e}", r.file);
            return ExitCode::from(2);
        }
    }
    let refs: Vec<&scan::AppRecord> = records.iter().collect();
    let Some(e) = cluster::explain_pair(&refs, 0, 1, args.threshold) else {
        return ExitCode::from(2);
    };
    let text = match args.format {
        ReportFormat::Text => report::pair_text(&e),
        ReportFormat::Json => json_text(&e),
        ReportFormat::Md | ReportFormat::Csv | ReportFormat::Sarif => {
            eprintln!("fingertip: compare writes text or json (md, csv and sarif: use check)");
            return ExitCode::from(2);
        }
        ReportFormat::Html => {
            eprintln!("fingertip: compare writes text or json (html: use cluster or check)");
            return ExitCode::from(2);
        }
    };
    match emit(&text, None) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn run_check(args: &CheckCmd) -> ExitCode {
    let options = match args.batch.to_options() {
        Ok(o) => o,
        Err(code) => return code,
    };
    let new = match scan::gather(std::slice::from_ref(&args.apk), None, false, &options) {
        Ok((mut recs, _)) => match recs.pop() {
            Some(r) => r,
            None => return ExitCode::from(2),
        },
        Err(e) => {
            eprintln!("fingertip: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(e) = &new.error {
        eprintln!("fingertip: {}: {e}", new.file);
        return ExitCode::from(2);
    }
    let (collection, stats) = match gather(&args.against, None, false, &options) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if stats.errors == stats.files {
        eprintln!("fingertip: no app of the collection could be analysed");
        return ExitCode::from(2);
    }
    let result = cluster::check(&new, &collection, args.threshold);
    let text = match args.format {
        ReportFormat::Text => report::check_text(&result),
        ReportFormat::Json => json_text(&result),
        ReportFormat::Md => report::markdown::check_markdown(&result),
        ReportFormat::Csv => report::csv::check_csv(&result),
        ReportFormat::Sarif => report::sarif::check_sarif(&result),
        ReportFormat::Html => report::html::check_html(&result),
    };
    if let Err(code) = emit(&text, args.output.as_deref()) {
        return code;
    }
    if result.duplicates.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialize the report: {e}\"}}"));
    text.push('\n');
    text
}

/// Whether `-o` names a folder: an existing one, or a path ending in a
/// separator.
fn is_dir_target(path: &std::path::Path) -> bool {
    path.is_dir()
        || path
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::is_separator)
}

/// `cluster --format csv -o DIR/`: apps.csv, clusters.csv and pairs.csv.
fn write_csv_dir(result: &cluster::ClusterReport, dir: &std::path::Path) -> Result<(), ExitCode> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("fingertip: cannot create {}: {e}", dir.display());
        return Err(ExitCode::from(2));
    }
    for kind in report::csv::CsvKind::ALL {
        let text = report::csv::cluster_csv(result, kind);
        emit(&text, Some(&dir.join(kind.file_name())))?;
    }
    Ok(())
}

/// Writes `text` to `output` or standard output.
fn emit(text: &str, output: Option<&std::path::Path>) -> Result<(), ExitCode> {
    let written = match output {
        Some(path) => std::fs::write(path, text).map_err(|e| (path.display().to_string(), e)),
        None => write_stdout(text).map_err(|e| ("standard output".to_string(), e)),
    };
    match written {
        Ok(()) => Ok(()),
        Err((_, e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err((what, e)) => {
            eprintln!("fingertip: cannot write {what}: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn run_screens(args: &ScreensArgs) -> ExitCode {
    let limits = args.limits.to_limits();
    let report = match inspect::inspect_path_with(&args.apk, &limits, &inspect::Options::default())
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fingertip: {e}");
            if matches!(args.format, ScreensFormat::Json) {
                let _ = print_json(&e.to_report());
            }
            return ExitCode::from(2);
        }
    };
    let out = match args.format {
        ScreensFormat::Text => write_stdout(&fingertip::screens::render_text(&report.screens)),
        ScreensFormat::Json => print_json(&report.screens),
    };
    match out {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fingertip: cannot write output: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_inspect(args: &InspectArgs) -> ExitCode {
    let limits = args.limits.to_limits();
    let mut options = inspect::Options {
        scope: match args.scope {
            ScopeArg::Manifest => inspect::Scope::Manifest,
            ScopeArg::Code => inspect::Scope::Code,
            ScopeArg::Full => inspect::Scope::Full,
        },
        signatures: Vec::new(),
    };
    for path in &args.signatures {
        match ExternalSignatures::load(path) {
            Ok(sig) => options.signatures.push(sig),
            Err(e) => {
                eprintln!("fingertip: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    match inspect::inspect_path_with(&args.apk, &limits, &options) {
        Ok(report) => print_report(&report, args.format),
        Err(e) => {
            eprintln!("fingertip: {e}");
            if matches!(args.format, Format::Json) {
                let _ = print_json(&e.to_report());
            }
            ExitCode::from(2)
        }
    }
}

fn print_report(report: &InspectReport, format: Format) -> ExitCode {
    let out = match format {
        Format::Text => write_stdout(&inspect::render_text(report)),
        Format::Json => print_json(report),
        Format::Xml => write_stdout(report.manifest_xml.as_deref().unwrap_or_default()),
    };
    match out {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fingertip: cannot write output: {e}");
            ExitCode::from(2)
        }
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    write_stdout(&text)
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}
