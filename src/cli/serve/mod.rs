//! `botlens serve`: the demo simulator, or a proxy that holds the key (issue 7).
//!
//! Layout, so the proxy mode can slot in beside the simulator:
//! - `mod.rs`       arguments, start-up (runtime, listener, logging, Ctrl-C) and dispatch;
//! - `simulator/`   the Recall look-alike (`--demo`): routes, auth, regions, faults
//!   (`mod.rs`), the bots it knows (`bots.rs`: built-ins and `--scenarios DIR`),
//!   one scenario file with its faults and progression (`scenario.rs`), JSON kept
//!   as written (`raw.rs`);
//! - `assets.rs`    the demo page, embed and extension files, and the simulated media.
//!
//! - `proxy/`       `--proxy`: the key-holding proxy for the embed (docs/proxy.md).
//!
//! `--demo` is the default mode; `--proxy` selects the proxy instead. The demo
//! also mounts a proxy at `/proxy` (key `demo`, upstream = itself) so the demo
//! page runs the embed exactly as an internal tool would.

mod assets;
mod proxy;
mod simulator;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use botlens::recall::region::Region;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Run the Recall simulator with its built-in demo bots (the default mode).
    #[arg(long, conflicts_with = "proxy")]
    pub demo: bool,

    /// Run the botlens proxy: holds the Recall key (RECALL_API_KEY or
    /// --key-file) and forwards only GET of a bot, its screenshots and logs.
    #[arg(long)]
    pub proxy: bool,

    /// Address to listen on (default 127.0.0.1:8787 for --demo, 127.0.0.1:8788
    /// for --proxy). Loopback by default; port 0 picks a free port.
    #[arg(long, value_name = "IP:PORT")]
    pub addr: Option<SocketAddr>,

    /// --proxy: read the Recall API key from FILE (else RECALL_API_KEY).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,

    /// --proxy: the key's region; without it every region is tried and the
    /// one that answers is remembered.
    #[arg(long, value_name = "REGION")]
    pub region: Option<Region>,

    /// --proxy: where Recall is, `{region}` replaced by the region label.
    #[arg(long, value_name = "TEMPLATE", default_value = botlens::recall::region::DEFAULT_HOST_TEMPLATE)]
    pub upstream: String,

    /// --proxy: an origin (scheme://host[:port]) whose pages may call the proxy
    /// (repeatable; `*` for any, for local experiments only).
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    pub allow_origins: Vec<String>,

    /// --proxy: a host name the proxy answers to (repeatable), e.g. the public
    /// name a reverse proxy passes on. IP addresses, localhost and the hosts
    /// of --allow-origin are always accepted; other names get 421 (this stops
    /// DNS-rebinding pages from reading through a loopback proxy).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,

    /// --proxy: require `X-Botlens-Token: <token>` on API requests, the token
    /// read from FILE (else BOTLENS_PROXY_TOKEN, when set).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// --proxy: requests per second allowed per client address (bursts of
    /// twice as many); 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = 10.0)]
    pub client_rate: f64,

    /// --proxy: look-ups Recall is asked for per minute per client (cache hits
    /// are free): one client never takes more than this of the budget.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub client_share: u32,

    /// --proxy: a reverse proxy in front of this one (repeatable, CIDR): its
    /// X-Forwarded-For names the client, and --user-header is read only from it.
    #[arg(long, value_name = "CIDR")]
    pub trust_proxy: Vec<ipnet::IpNet>,

    /// --proxy: the header the team's sign-in proxy names the user in (e.g.
    /// X-Auth-Request-User from oauth2-proxy); requests without it, or not from
    /// a --trust-proxy address, are refused. Budgets are then per user.
    #[arg(long, value_name = "NAME")]
    pub user_header: Option<String>,

    /// --proxy: milliseconds a client may take to send a request's headers.
    #[arg(long, value_name = "MS", default_value_t = 10_000, hide = true)]
    pub header_timeout_ms: u64,

    /// --proxy: answer anyone who can reach it. Needed to listen beyond
    /// loopback with neither a token nor --user-header.
    #[arg(long)]
    pub public: bool,

    /// --proxy: upstream requests per minute to Retrieve Bot and Bot Logs
    /// (Recall allows 300; the proxy keeps 10% under; screenshots get a fifth).
    #[arg(long, value_name = "N", default_value_t = proxy::RECALL_PER_MINUTE)]
    pub upstream_per_minute: u32,

    /// --proxy: share Recall's budget, the answers and look-ups in flight
    /// with the other replicas through this Redis (redis://host:port).
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,

    /// --proxy --redis: how many replicas run; while Redis is away each keeps
    /// 1/N of the budget (N: this, or the most seen alive if more).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "redis")]
    pub replicas: u32,

    /// --proxy: forward every request (no cache; identical requests in flight
    /// are still shared). For measurements.
    #[arg(long)]
    pub no_cache: bool,

    /// --proxy: folder served at /embed/ (botlens.js, the wasm, card.html).
    #[arg(long, value_name = "DIR", default_value = "dist/embed")]
    pub embed: PathBuf,

    /// Write logs as JSON lines (one object per request).
    #[arg(long)]
    pub log_json: bool,

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

    /// Simulator: N more bots made from the built-ins (every verdict and platform), for triage.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub generate: u32,

    /// Simulator: enforce Recall's per-workspace limits — N requests a minute per key to
    /// Retrieve Bot and Bot Logs, a fifth to screenshots — answering 429 with Retry-After.
    #[arg(long, value_name = "N")]
    pub limit_per_minute: Option<u32>,

    /// Simulator: count --limit-per-minute over this many seconds instead of a minute (tests).
    #[arg(long, value_name = "SECS", hide = true, value_parser = parse_positive_secs)]
    pub limit_window_secs: Option<f64>,

    /// Seconds between the status changes of progressing bots (overrides
    /// each scenario's `every_secs`; the built-in live bot uses 15).
    #[arg(long, value_name = "SECS", value_parser = parse_positive_secs)]
    pub progress_secs: Option<f64>,

    /// Simulator: answer with CORS headers (`Access-Control-Allow-Origin: *`),
    /// which Recall does not send. Off by default, as on Recall.
    #[arg(long)]
    pub cors: bool,

    /// Simulator: no CORS headers. The default; kept for old scripts.
    #[arg(long, hide = true, conflicts_with = "cors")]
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

/// A request that carries a body (Recall's WAF and the proxy refuse a GET with one).
fn has_body(headers: &axum::http::HeaderMap) -> bool {
    use axum::http::header;
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    length > 0 || headers.contains_key(header::TRANSFER_ENCODING)
}

fn parse_positive_secs(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err("expected a number of seconds above 0, e.g. 15 or 0.5".into()),
    }
}

/// `https://admin.example.com` (no path); `*` for any origin.
fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    if text == "*" {
        return Ok(text.into());
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err("expected an origin such as https://admin.example.com".into());
    };
    if !matches!(scheme, "http" | "https")
        || rest.is_empty()
        || rest.contains('/')
        || !rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
    {
        return Err("expected an origin such as https://admin.example.com (no path)".into());
    }
    Ok(text.to_ascii_lowercase())
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("botlens serve: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        })
}

/// A secret from a file (trimmed) or else an environment variable.
fn read_secret(file: Option<&PathBuf>, env: &str) -> Result<Option<proxy::Secret>, String> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            proxy::Secret::new(&text)
                .map(Some)
                .ok_or_else(|| format!("{} is empty", path.display()))
        }
        None => Ok(std::env::var(env).ok().and_then(|v| proxy::Secret::new(&v))),
    }
}

fn run_proxy(args: ServeArgs) -> ExitCode {
    let key = match read_secret(args.key_file.as_ref(), "RECALL_API_KEY") {
        Ok(Some(key)) => key,
        Ok(None) => {
            eprintln!("botlens serve --proxy: no Recall API key: set RECALL_API_KEY or pass --key-file FILE");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("botlens serve --proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let token = match read_secret(args.token_file.as_ref(), "BOTLENS_PROXY_TOKEN") {
        Ok(token) => token,
        Err(e) => {
            eprintln!("botlens serve --proxy: {e}");
            return ExitCode::from(2);
        }
    };
    if !args.upstream.contains("://") {
        eprintln!("botlens serve --proxy: --upstream must be a URL template such as https://{{region}}.recall.ai");
        return ExitCode::from(2);
    }
    if !(args.client_rate.is_finite() && args.client_rate >= 0.0) {
        eprintln!("botlens serve --proxy: --client-rate must be 0 or more");
        return ExitCode::from(2);
    }
    let user_header = match args
        .user_header
        .as_deref()
        .map(axum::http::HeaderName::try_from)
    {
        None => None,
        Some(Ok(name)) => Some(name),
        Some(Err(_)) => {
            eprintln!("botlens serve --proxy: --user-header must be a header name");
            return ExitCode::from(2);
        }
    };
    if user_header.is_some() && args.trust_proxy.is_empty() {
        eprintln!("botlens serve --proxy: --user-header needs --trust-proxy CIDR: the header counts only from the sign-in proxy");
        return ExitCode::from(2);
    }
    let addr = args
        .addr
        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8788)));
    if !addr.ip().is_loopback() && token.is_none() && user_header.is_none() && !args.public {
        eprintln!(
            "botlens serve --proxy: {addr} is reachable beyond this machine and nothing says who may ask: \
             set a token (BOTLENS_PROXY_TOKEN or --token-file), or --trust-proxy CIDR --user-header NAME \
             behind your sign-in proxy, or --public to answer anyone"
        );
        return ExitCode::from(2);
    }
    let config = proxy::Config {
        key,
        region: args.region,
        upstream: args.upstream.clone(),
        allow_origins: args.allow_origins.clone(),
        allow_hosts: args.allow_hosts.clone(),
        token,
        client_rate: args.client_rate,
        client_share: args.client_share,
        identify: proxy::Identify {
            trusted: args.trust_proxy.clone(),
            user_header,
        },
        upstream_per_minute: args.upstream_per_minute,
        cache: !args.no_cache,
        redis: args.redis.clone(),
        replicas: args.replicas,
        embed: Some(args.embed.clone()),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let proxy = match proxy::Proxy::new(config) {
            Ok(proxy) => proxy,
            Err(e) => {
                eprintln!("botlens serve --proxy: {e}");
                return ExitCode::FAILURE;
            }
        };
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(e) => {
                eprintln!("botlens serve --proxy: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let local = listener.local_addr().unwrap_or(addr);
        let front = proxy::Front::new(proxy.clone());
        println!(
            "botlens proxy: http://{local}/api/v1/bot/{{id}}/ (…/screenshots/, …/logs/) → {} — embed http://{local}/embed/botlens.js, health http://{local}/healthz",
            args.upstream
        );
        tracing::info!(%local, upstream = %args.upstream, region = ?args.region.map(Region::label), origins = ?args.allow_origins, "proxy ready");
        let limits = proxy::listen::Limits {
            header_read: std::time::Duration::from_millis(args.header_timeout_ms.max(1)),
            ..proxy::listen::Limits::default()
        };
        proxy::listen::serve(listener, front, limits, proxy.open_connections(), shutdown_signal())
            .await;
        proxy.leave().await;
        ExitCode::SUCCESS
    })
}

pub fn run(args: ServeArgs) -> ExitCode {
    init_logging(args.log_json);
    if args.proxy {
        return run_proxy(args);
    }

    let mut bots = if args.no_builtin {
        simulator::SimBots::default()
    } else {
        match simulator::SimBots::builtin() {
            Ok(bots) => bots,
            Err(e) => {
                eprintln!("botlens serve: {e}");
                return ExitCode::from(2);
            }
        }
    };
    for dir in &args.scenarios {
        match simulator::load_dir(dir) {
            Ok(loaded) => {
                for scenario in loaded {
                    if let Some(old) = bots.insert(scenario) {
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

    if let Err(e) = bots.generate(args.generate) {
        eprintln!("botlens serve: {e}");
        return ExitCode::from(2);
    }

    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let config = simulator::Config {
        keys: args.keys,
        progress_secs: args.progress_secs,
        cors: args.cors && !args.no_cors,
        www: args.www,
        dist: args.dist,
        proxy: None,
        limit_per_minute: args.limit_per_minute,
        limit_window: args
            .limit_window_secs
            .map(std::time::Duration::from_secs_f64),
    };
    let addr = args
        .addr
        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8787)));
    runtime.block_on(serve_demo(addr, bots, config))
}

async fn serve_demo(
    addr: SocketAddr,
    bots: simulator::SimBots,
    mut config: simulator::Config,
) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("botlens serve: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    let count = bots.len();
    // The demo's own proxy at /proxy: key `demo`, upstream = this server.
    let demo_proxy = proxy::Secret::new(simulator::DEMO_KEY)
        .ok_or_else(|| "the demo key is empty".to_string())
        .and_then(|key| {
            proxy::Proxy::new(proxy::Config {
                key,
                region: None,
                upstream: format!("http://{{region}}.localhost:{}", local.port()),
                allow_origins: vec![],
                allow_hosts: vec![],
                token: None,
                client_rate: 20.0,
                client_share: 120,
                identify: proxy::Identify::default(),
                upstream_per_minute: proxy::RECALL_PER_MINUTE,
                cache: true,
                redis: None,
                replicas: 1,
                embed: None,
            })
        });
    match demo_proxy {
        Ok(p) => config.proxy = Some(proxy::Front::new(p)),
        Err(e) => tracing::warn!("no demo proxy at /proxy: {e}"),
    }
    let app = simulator::app(bots, config, local);
    println!("{}", banner(local, count));
    tracing::info!(%local, bots = count, "simulator ready");

    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
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
            "botlens simulator: http://{local}/ (us-east-1) and http://{{region}}.localhost:{port}/ — {bots} bots, key `demo`, demo page http://{local}/demo/, proxy http://{local}/proxy/"
        )
    } else {
        format!(
            "botlens simulator: http://{local}/ (us-east-1; regions via Host header {{region}}.<host>:{port}) — {bots} bots, key `demo`"
        )
    }
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if json {
        let _ = tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_target(false)
            .try_init();
        return;
    }
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
