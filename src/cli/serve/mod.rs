//! `botlens serve`: the demo simulator, or a proxy that holds the key (issue 7).
//!
//! Layout, so the proxy mode can slot in beside the simulator:
//! - `mod.rs`       arguments, start-up (runtime, listener, logging, Ctrl-C) and dispatch;
//! - `simulator.rs` the Recall look-alike: routes, auth, regions, faults (`--demo`);
//! - `scenarios.rs` the bots it knows: built-ins, `--scenarios DIR`, faults, progression;
//! - `assets.rs`    the demo page, embed and extension files, and the simulated media.
//!
//! `--demo` is the default mode; a future `--proxy` flag selects the proxy instead.

mod assets;
mod scenarios;
mod simulator;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use botlens::recall::region::Region;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Run the Recall simulator with its built-in demo bots (the default mode).
    #[arg(long)]
    pub demo: bool,

    /// Address to listen on. Loopback by default; port 0 picks a free port.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,

    /// A region-bound API key, valid only in that region (repeatable).
    /// The key `demo` is always valid in every region.
    #[arg(long = "key", value_name = "REGION=KEY", value_parser = parse_region_key)]
    pub keys: Vec<RegionKey>,

    /// Load every *.json in DIR as a scenario (repeatable). A scenario whose
    /// bot id matches a built-in one replaces it.
    #[arg(long = "scenarios", value_name = "DIR")]
    pub scenarios: Vec<PathBuf>,

    /// Serve only the scenarios from --scenarios, not the built-in demo bots.
    #[arg(long)]
    pub no_builtin: bool,

    /// Seconds between the status changes of progressing bots (overrides
    /// each scenario's `every_secs`; the built-in live bot uses 15).
    #[arg(long, value_name = "SECS", value_parser = parse_positive_secs)]
    pub progress_secs: Option<f64>,

    /// Answer without CORS headers, exactly as Recall does (browsers then
    /// refuse page scripts that call the simulator from another origin).
    #[arg(long)]
    pub no_cors: bool,

    /// Folder served at `/` (the demo page lives in DIR/demo/).
    #[arg(long, value_name = "DIR", default_value = "www")]
    pub www: PathBuf,

    /// Build output: DIR/embed is served at `/embed/`, DIR itself at `/extension/`.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub dist: PathBuf,
}

/// `--key us-west-2=abc123`. Never printed: the key is a secret.
#[derive(Clone)]
pub struct RegionKey {
    pub region: Region,
    pub key: String,
}

fn parse_region_key(text: &str) -> Result<RegionKey, String> {
    let (region, key) = text
        .split_once('=')
        .ok_or_else(|| "expected REGION=KEY, e.g. us-west-2=0123abcd".to_string())?;
    let region: Region = region.parse().map_err(|e| format!("{e}"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err("the key after '=' is empty".into());
    }
    if key.chars().any(char::is_whitespace) {
        return Err("a key cannot contain spaces".into());
    }
    Ok(RegionKey {
        region,
        key: key.to_string(),
    })
}

fn parse_positive_secs(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err("expected a number of seconds above 0, e.g. 15 or 0.5".into()),
    }
}

pub fn run(args: ServeArgs) -> ExitCode {
    // `--demo` is the only mode today; it is also what runs without a flag.
    let _ = args.demo;
    init_logging();

    let mut catalog = if args.no_builtin {
        scenarios::Catalog::default()
    } else {
        match scenarios::Catalog::builtin() {
            Ok(catalog) => catalog,
            Err(e) => {
                eprintln!("botlens serve: {e}");
                return ExitCode::from(2);
            }
        }
    };
    for dir in &args.scenarios {
        match scenarios::load_dir(dir) {
            Ok(loaded) => {
                for scenario in loaded {
                    if let Some(old) = catalog.insert(scenario) {
                        tracing::info!(bot = %old.id, replaced = %old.source, "scenario replaced");
                    }
                }
            }
            Err(e) => {
                eprintln!("botlens serve: {e}");
                return ExitCode::from(2);
            }
        }
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("botlens serve: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = simulator::Config {
        keys: args.keys,
        progress_secs: args.progress_secs,
        cors: !args.no_cors,
        www: args.www,
        dist: args.dist,
    };
    runtime.block_on(serve_demo(args.addr, catalog, config))
}

async fn serve_demo(
    addr: SocketAddr,
    catalog: scenarios::Catalog,
    config: simulator::Config,
) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("botlens serve: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    let count = catalog.len();
    let app = simulator::app(catalog, config, local);
    println!("{}", banner(local, count));
    tracing::info!(%local, bots = count, "simulator ready");

    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("botlens serve: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The one line printed on start: the URL of the us-east-1 (legacy) host and
/// the template of the regional hosts.
fn banner(local: SocketAddr, bots: usize) -> String {
    let port = local.port();
    if local.ip().is_loopback() {
        format!(
            "botlens simulator: http://{local}/ (us-east-1) and http://{{region}}.localhost:{port}/ — {bots} bots, key `demo`, demo page http://{local}/demo/"
        )
    } else {
        format!(
            "botlens simulator: http://{local}/ (us-east-1; regions via Host header {{region}}.<host>:{port}) — {bots} bots, key `demo`"
        )
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr so stdout carries only the one start-up line.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
    // Open requests (a slow fault, say) get a few seconds, then we go anyway.
    tokio::spawn(async {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        tracing::info!("requests still open after 5 s; exiting");
        std::process::exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_keys_parse() {
        let k = parse_region_key("eu-central-1=abc").unwrap();
        assert_eq!(k.region, Region::EuCentral1);
        assert_eq!(k.key, "abc");
        assert!(parse_region_key("mars-1=abc").is_err());
        assert!(parse_region_key("us-west-2=").is_err());
        assert!(parse_region_key("us-west-2").is_err());
        assert!(parse_region_key("us-west-2=a b").is_err());
    }

    #[test]
    fn progress_secs_must_be_positive() {
        assert_eq!(parse_positive_secs("0.5"), Ok(0.5));
        assert!(parse_positive_secs("0").is_err());
        assert!(parse_positive_secs("-1").is_err());
        assert!(parse_positive_secs("NaN").is_err());
    }
}
