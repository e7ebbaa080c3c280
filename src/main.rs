//! The `fingertip` command line: parses arguments and calls the library.
//! Exit codes: 0 success, 2 the file could not be analysed (or bad usage).

use clap::{Args, Parser, Subcommand, ValueEnum};
use fingertip::facts::external::ExternalSignatures;
use fingertip::inspect::{self, InspectReport};
use fingertip::reader::Limits;
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
