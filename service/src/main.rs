//! `polyrun`: run a program in the sandbox, grade a solution, write and check problems and
//! pack them, serve the HTTP API and the web app, and keep a course's tokens, submissions
//! and gradebook.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use polyrun_core::limits::{DEFAULT_MEMORY_LIMIT_MB, RUN_OUTPUT_CAP_BYTES, RUN_TIME_LIMIT_MS};
use polyrun_core::{Language, ProblemBank, Verdict};
use polyrun_grader::run::Output;
use polyrun_grader::{Grader, GraderConfig, Limits, check};
use polyrun_service::http::auth::AuthMode;
use polyrun_service::{authoring, http, lambda, people, serve};
use polyrun_store::StoreUrl;

/// polyrun: practise and grade code in Python, Ruby and JavaScript, sandboxed in WebAssembly.
#[derive(Parser)]
#[command(name = "polyrun", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a whole program in the sandbox; stdin is passed on.
    Run {
        /// Language (python, ruby, javascript); defaults from the file's extension.
        #[arg(long)]
        lang: Option<String>,
        /// Wall-time limit.
        #[arg(long, default_value_t = RUN_TIME_LIMIT_MS)]
        time_limit_ms: u64,
        /// Memory the program may use beyond the runtime's own footprint.
        #[arg(long, default_value_t = DEFAULT_MEMORY_LIMIT_MB)]
        memory_limit_mb: u64,
        /// What the program may write on each of stdout and stderr (KiB); the rest is cut,
        /// as in `POST /api/v1/run` and Judge0 submissions.
        #[arg(long, default_value_t = RUN_OUTPUT_CAP_BYTES / 1024)]
        output_limit_kb: usize,
        /// The program.
        file: PathBuf,
    },
    /// Grade a solution against every test of a problem; prints the grade report.
    Grade {
        /// The problem bank.
        #[arg(long)]
        problems: Option<PathBuf>,
        /// Language; defaults from the file's extension.
        #[arg(long)]
        lang: Option<String>,
        /// Show hidden tests' details too (for problem authors).
        #[arg(long)]
        show_hidden: bool,
        /// The problem's id.
        problem_id: String,
        /// The solution.
        file: PathBuf,
    },
    /// Validate problems and check each reference solution is accepted.
    Check {
        /// The problem bank.
        #[arg(long)]
        problems: Option<PathBuf>,
        /// Only these problems (default: every problem of the bank).
        ids: Vec<String>,
    },
    /// Start a new problem: a small working one to edit, which `polyrun check` passes.
    New {
        /// The bank to add it to (default: $POLYRUN_PROBLEMS, else ./problems, made if missing).
        #[arg(long)]
        problems: Option<PathBuf>,
        /// The new problem's id (its folder's name: a-z, 0-9 and '-').
        id: String,
    },
    /// Write the public part of the bank (no hidden test, no solution) as one problem pack.
    Pack {
        /// The problem bank.
        #[arg(long)]
        problems: Option<PathBuf>,
        /// The pack's title (default: the bank folder's name).
        #[arg(long)]
        title: Option<String>,
        /// The grader that grades Submit on the pack's problems (serving the same bank).
        #[arg(long)]
        grader: Option<String>,
        /// Where to write the pack (a .json file).
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve the HTTP API (/api/v1) and the web app.
    Serve {
        /// Where to listen (port 0: any free port, printed on the first line).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// The problem bank.
        #[arg(long)]
        problems: Option<PathBuf>,
        /// The web app (a `trunk build` output); default: ./dist, else the checkout's dist/.
        #[arg(long)]
        site: Option<PathBuf>,
        /// Sandboxes running at once (default: one per CPU).
        #[arg(long)]
        workers: Option<usize>,
        /// Runs that may wait for a sandbox; beyond them requests get 429.
        #[arg(long, default_value_t = 32)]
        queue: usize,
        /// Connections one client (an IPv4 address, an IPv6 /64) may hold at once; past it,
        /// 429. 0: no cap (behind a reverse proxy, where every connection is the proxy's).
        #[arg(long, default_value_t = polyrun_service::http::clients::DEFAULT_PER_CLIENT)]
        max_connections_per_client: usize,
        #[command(flatten)]
        store: StoreArg,
        /// `open`: anyone may run and grade; `tokens`: every route but the public ones needs
        /// a token (default: $POLYRUN_AUTH, else open).
        #[arg(long)]
        auth: Option<String>,
    },
    /// Answer AWS Lambda invocations with the same HTTP API (as the function's bootstrap).
    Lambda {
        /// The problem bank (default: $POLYRUN_PROBLEMS, else ./problems).
        #[arg(long)]
        problems: Option<PathBuf>,
        /// Sandboxes running at once (default: one per CPU the function has).
        #[arg(long)]
        workers: Option<usize>,
        /// Runs that may wait for a sandbox; beyond them requests get 429.
        #[arg(long, default_value_t = 8)]
        queue: usize,
        #[command(flatten)]
        store: StoreArg,
        /// `open` or `tokens` (default: $POLYRUN_AUTH, else open).
        #[arg(long)]
        auth: Option<String>,
    },
    /// Access tokens: create (printed once; only its SHA-256 is kept), list, revoke.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// List stored submissions, newest first; `prune` forgets old ones.
    #[command(args_conflicts_with_subcommands = true)]
    Submissions {
        #[command(subcommand)]
        action: Option<SubmissionsAction>,
        #[command(flatten)]
        store: StoreArg,
        /// Only this problem's.
        #[arg(long)]
        problem: Option<String>,
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Each learner's best result per problem, attempts and first acceptance.
    Gradebook {
        #[command(flatten)]
        store: StoreArg,
        /// As CSV: user,problem,verdict,passed,total,attempts,accepted_at.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// As JSON (the API's shape).
        #[arg(long)]
        json: bool,
    },
}

/// `--store`.
#[derive(clap::Args)]
struct StoreArg {
    /// Where submissions, Judge0 submissions and tokens are kept: sqlite:PATH,
    /// dynamodb:TABLE or memory (default: $POLYRUN_STORE, else
    /// sqlite:$POLYRUN_DATA/polyrun.db, POLYRUN_DATA defaulting to ~/.local/share/polyrun).
    #[arg(long = "store")]
    url: Option<String>,
}

impl StoreArg {
    async fn open(&self) -> anyhow::Result<Arc<dyn polyrun_store::Store>> {
        let url = StoreUrl::resolve(self.url.as_deref()).map_err(|e| Usage(e.to_string()))?;
        polyrun_store::open(&url)
            .await
            .map_err(|e| Usage(format!("cannot open the store {url}: {e}")).into())
    }
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create a token and print it once.
    Create {
        /// Who holds it (unique among tokens not revoked).
        #[arg(long)]
        name: String,
        /// learner or teacher.
        #[arg(long)]
        role: String,
        /// Also print an invite link: this site's URL with the token in the fragment.
        #[arg(long)]
        invite: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// List tokens (names, roles, dates; never the tokens).
    List {
        #[command(flatten)]
        store: StoreArg,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke the token of NAME: it stops working at once.
    Revoke {
        /// The token's name.
        name: String,
        #[command(flatten)]
        store: StoreArg,
    },
}

#[derive(Subcommand)]
enum SubmissionsAction {
    /// Forget submissions (and finished Judge0 submissions) older than a duration.
    Prune {
        /// e.g. 90d, 12h.
        #[arg(long)]
        older_than: String,
        #[command(flatten)]
        store: StoreArg,
    },
}

/// `--auth`, else `$POLYRUN_AUTH`, else open.
fn auth_mode(flag: Option<&str>) -> anyhow::Result<AuthMode> {
    let text = match flag {
        Some(text) => text.to_owned(),
        None => std::env::var("POLYRUN_AUTH")
            .ok()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "open".into()),
    };
    Ok(text.parse::<AuthMode>().map_err(Usage)?)
}

/// A usage error: exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Usage(String);

fn main() -> ExitCode {
    // A sandbox process of this grader (`polyrun_grader::sandbox_main`): not a command.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == polyrun_grader::SANDBOX_ARG)
    {
        return polyrun_grader::sandbox_main();
    }
    let cli = Cli::parse_from(arguments());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("polyrun: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("polyrun: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run {
            lang,
            time_limit_ms,
            memory_limit_mb,
            output_limit_kb,
            file,
        } => {
            let language = language(lang.as_deref(), &file)?;
            let source = read_source(&file)?;
            let mut stdin = Vec::new();
            std::io::stdin()
                .read_to_end(&mut stdin)
                .context("cannot read standard input")?;
            let grader = grader()?;
            let limits = Limits::new(time_limit_ms, memory_limit_mb);
            let report = grader
                .run_program(
                    language,
                    &source,
                    stdin,
                    limits,
                    Output::Forward {
                        cap: output_limit_kb.saturating_mul(1024),
                    },
                )
                .await?;
            Ok(ExitCode::from(report.exit_code.clamp(0, 255) as u8))
        }
        Command::Grade {
            problems,
            lang,
            show_hidden,
            problem_id,
            file,
        } => {
            let language = language(lang.as_deref(), &file)?;
            let bank = ProblemBank::new(problems_dir(problems));
            let problem = bank.load(&problem_id).map_err(|e| Usage(e.to_string()))?;
            let source = read_source(&file)?;
            let grader = grader()?;
            let mut report = grader.grade(&problem, language, &source).await?;
            if !show_hidden {
                report.redact_hidden();
            }
            emit(&format!("{}\n", serde_json::to_string_pretty(&report)?));
            Ok(if report.verdict == Verdict::Accepted {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Serve {
            addr,
            problems,
            site,
            workers,
            queue,
            max_connections_per_client,
            store,
            auth,
        } => {
            let auth = auth_mode(auth.as_deref())?;
            let bank = existing_bank(problems)?;
            let site = http::site::site_dir(site);
            if let Some(dir) = &site
                && !dir.join("index.html").is_file()
            {
                bail!(Usage(format!(
                    "{} has no index.html (build the app: trunk build --release)",
                    dir.display()
                )));
            }
            let workers = workers.unwrap_or_else(|| GraderConfig::default().max_concurrent);
            let store = store.open().await?;
            serve::serve(serve::ServeOptions {
                addr,
                bank,
                site,
                workers,
                queue,
                store,
                auth,
                per_client: max_connections_per_client,
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lambda {
            problems,
            workers,
            queue,
            store,
            auth,
        } => {
            let auth = auth_mode(auth.as_deref())?;
            let bank = ProblemBank::new(problems_dir(problems));
            let workers = workers.unwrap_or_else(|| GraderConfig::default().max_concurrent);
            let store = store.open().await?;
            lambda::serve(bank, workers, queue, store, auth).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { action } => {
            let out = match action {
                TokenAction::Create {
                    name,
                    role,
                    invite,
                    store,
                } => {
                    let role = people::role(&role).map_err(|e| Usage(e.to_string()))?;
                    people::token_create(store.open().await?.as_ref(), &name, role, invite.as_deref()).await
                }
                TokenAction::List { store, json } => people::token_list(store.open().await?.as_ref(), json).await,
                TokenAction::Revoke { name, store } => people::token_revoke(store.open().await?.as_ref(), &name).await,
            };
            emit(&out.map_err(|e| Usage(e.to_string()))?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Submissions {
            action: Some(SubmissionsAction::Prune { older_than, store }),
            ..
        } => {
            let out = people::prune(store.open().await?.as_ref(), &older_than).await;
            emit(&out.map_err(|e| Usage(e.to_string()))?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Submissions {
            action: None,
            store,
            problem,
            user,
            limit,
            json,
        } => {
            let out = people::submissions(store.open().await?.as_ref(), problem, user, limit, json).await;
            emit(&out.map_err(|e| Usage(e.to_string()))?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Gradebook { store, csv, json } => {
            let out = people::gradebook(store.open().await?.as_ref(), csv, json).await;
            emit(&out.map_err(|e| Usage(e.to_string()))?);
            Ok(ExitCode::SUCCESS)
        }
        Command::New { problems, id } => {
            // A new problem goes to the bank named, else to ./problems (never the checkout's).
            let bank = problems
                .or_else(|| {
                    std::env::var_os("POLYRUN_PROBLEMS")
                        .filter(|d| !d.is_empty())
                        .map(PathBuf::from)
                })
                .unwrap_or_else(|| PathBuf::from("problems"));
            authored(authoring::new_problem(&bank, &id))
        }
        Command::Pack {
            problems,
            title,
            grader,
            out,
        } => {
            let bank = existing_bank(problems)?;
            authored(authoring::write_pack(&bank, title.as_deref(), grader.as_deref(), &out))
        }
        Command::Check { problems, ids } => {
            let bank = existing_bank(problems)?;
            let grader = Arc::new(grader()?);
            let rows = check::check_bank(grader, &bank, &ids)
                .await
                .map_err(|e| Usage(e.to_string()))?;
            emit(&check::render(&rows));
            Ok(if rows.iter().all(check::CheckRow::ok) && !rows.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// What `polyrun new` or `polyrun pack` prints, or a usage error.
fn authored(result: Result<String, authoring::Refused>) -> anyhow::Result<ExitCode> {
    emit(&result.map_err(|e| Usage(e.to_string()))?);
    Ok(ExitCode::SUCCESS)
}

/// The bank of [`problems_dir`], which must be a folder.
fn existing_bank(flag: Option<PathBuf>) -> anyhow::Result<ProblemBank> {
    let bank = ProblemBank::new(problems_dir(flag));
    if !bank.root().is_dir() {
        bail!(Usage(format!("no problem bank at {}", bank.root().display())));
    }
    Ok(bank)
}

/// The command line, where a Lambda function's `bootstrap` (this binary under that name, or
/// any name inside Lambda) started with no arguments is `polyrun lambda`.
fn arguments() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() == 1 {
        let as_bootstrap = Path::new(&args[0]).file_name().is_some_and(|name| name == "bootstrap");
        let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some_and(|v| !v.is_empty());
        if as_bootstrap || in_lambda {
            args.push("lambda".into());
        }
    }
    args
}

/// Writes to stdout; a reader that went away (`polyrun grade … | head`) is not an error.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn grader() -> anyhow::Result<Grader> {
    Ok(Grader::new(GraderConfig::default())?)
}

fn language(flag: Option<&str>, file: &Path) -> anyhow::Result<Language> {
    match flag {
        Some(id) => Ok(id.parse::<Language>().map_err(|e| Usage(e.to_string()))?),
        None => Language::from_path(file).ok_or_else(|| {
            Usage(format!(
                "cannot tell the language of {} from its extension; pass --lang python|ruby|javascript",
                file.display()
            ))
            .into()
        }),
    }
}

fn read_source(file: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).map_err(|e| Usage(format!("cannot read {}: {}", file.display(), io_reason(&e))))?;
    String::from_utf8(bytes).map_err(|_| Usage(format!("{} is not valid UTF-8", file.display())).into())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// `--problems`, else `$POLYRUN_PROBLEMS`, else `./problems` when it exists, else this
/// checkout's `problems/`.
fn problems_dir(flag: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = flag {
        return dir;
    }
    if let Some(dir) = std::env::var_os("POLYRUN_PROBLEMS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("problems");
    if local.join(".").is_dir() && std::fs::read_dir(&local).is_ok() && Path::new("problems").is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("problems")
}
