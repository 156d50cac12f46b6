//! Scan throughput: `botlens scan` vs ripgrep vs the regex crate on a generated log.
//!
//! `cargo bench -p botlens --bench scan` generates a realistic log (1 GiB by default;
//! `BOTLENS_BENCH_BYTES` changes it) in the temp dir, then measures in this one run:
//! - `botlens scan FILE` (the release binary, output drained through a pipe),
//! - `rg -o -i '<uuid regex>' FILE` (`BOTLENS_BENCH_RG`, default `/usr/bin/rg`), same pipe,
//! - the `regex` crate in process (`find_iter` over 64 MiB blocks),
//! - the `botlens::detect::stream` scanner in process (no output),
//!
//! each best of `BOTLENS_BENCH_RUNS` (default 3) runs, and prints MB/s and ratios against the
//! goal (botlens ≥ 1.0× ripgrep). The log is deleted at the end.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const UUID_RE: &str = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// The generated log; removed on drop unless the user named it (`BOTLENS_BENCH_FILE`).
struct TempFile(PathBuf, bool);
impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn generate(path: &Path, size: u64) -> std::io::Result<(u64, u64)> {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let bots: Vec<String> = (0..20_000).map(|_| rng.uuid()).collect();
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let (mut written, mut lines) = (0u64, 0u64);
    let statuses = [
        "joining_call",
        "in_waiting_room",
        "in_call_recording",
        "call_ended",
        "done",
        "fatal",
    ];
    while written < size {
        let bot = &bots[rng.below(bots.len() as u64) as usize];
        let ts = format!(
            "2025-09-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.below(1_000_000)
        );
        let status = statuses[rng.below(statuses.len() as u64) as usize];
        let line = match rng.below(10) {
            0 => format!("{ts} INFO  webhook {{\"event\":\"bot.{status}\",\"data\":{{\"data\":{{\"code\":\"{status}\",\"sub_code\":null}},\"bot\":{{\"id\":\"{bot}\",\"metadata\":{{\"customer_id\":\"cus_{}\"}}}}}}}}\n", rng.below(9999)),
            1 => format!("{ts} INFO  http GET /api/v1/bot/{bot}/ 200 {}ms request_id={}\n", rng.below(900), rng.uuid()),
            2 => format!("{ts} INFO  media recording_id={} bot_id={bot} video_mixed done\n", rng.uuid()),
            3 => format!("{ts} WARN  worker-{} bot {bot} status change {status} after {}s\n", rng.below(16), rng.below(3600)),
            4 => format!("{ts} DEBUG s3 put https://bucket.s3.amazonaws.com/recordings/{}/video_mixed/{}/bot/{bot}/video.mp4\n", rng.uuid(), rng.uuid()),
            _ => format!("{ts} INFO  healthcheck ok region=us-east-1 latency_ms={} queue_depth={} pod=botlens-worker-{}\n", rng.below(900), rng.below(100), rng.below(64)),
        };
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        lines += 1;
    }
    out.flush()?;
    Ok((written, lines))
}

/// Run a command, drain its stdout through a pipe, return (elapsed, output lines).
fn time_cmd(cmd: &mut Command) -> std::io::Result<(Duration, u64)> {
    let t = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let mut lines = 0u64;
    if let Some(mut out) = child.stdout.take() {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = out.read(&mut buf)?;
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
    child.wait()?;
    Ok((t.elapsed(), lines))
}

fn time_regex(path: &Path) -> std::io::Result<(Duration, u64)> {
    let re = regex::bytes::Regex::new(&format!("(?i){UUID_RE}")).map_err(std::io::Error::other)?;
    let t = Instant::now();
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 64 << 20];
    let mut keep = 0usize;
    let mut count = 0u64;
    loop {
        let n = f.read(&mut buf[keep..])?;
        let len = keep + n;
        if n == 0 {
            count += re.find_iter(&buf[..len]).count() as u64;
            break;
        }
        // Search up to the last newline; carry the partial line over.
        let cut = buf[..len]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(len, |i| i + 1);
        count += re.find_iter(&buf[..cut]).count() as u64;
        buf.copy_within(cut..len, 0);
        keep = len - cut;
    }
    Ok((t.elapsed(), count))
}

fn time_lib(path: &Path) -> std::io::Result<(Duration, u64)> {
    let t = Instant::now();
    let mut n = 0u64;
    botlens::detect::stream::scan_reader(File::open(path)?, &Default::default(), |_| n += 1)?;
    Ok((t.elapsed(), n))
}

fn best<F: FnMut() -> std::io::Result<(Duration, u64)>>(
    runs: usize,
    mut f: F,
) -> std::io::Result<(Duration, u64)> {
    let mut best: Option<(Duration, u64)> = None;
    for _ in 0..runs {
        let r = f()?;
        if best.is_none_or(|b| r.0 < b.0) {
            best = Some(r);
        }
    }
    best.ok_or_else(|| std::io::Error::other("no runs"))
}

fn main() -> std::io::Result<()> {
    // `cargo bench` passes `--bench`; a filter argument that is not ours means "not me".
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && a != "scan")
    {
        return Ok(());
    }
    let size: u64 = std::env::var("BOTLENS_BENCH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 30);
    let runs: usize = std::env::var("BOTLENS_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let rg = std::env::var("BOTLENS_BENCH_RG").unwrap_or_else(|_| "/usr/bin/rg".into());
    let botlens = env!("CARGO_BIN_EXE_botlens");
    // BOTLENS_BENCH_FILE: use (generate if missing, and keep) this log.
    let file = match std::env::var_os("BOTLENS_BENCH_FILE") {
        Some(p) => TempFile(PathBuf::from(p), true),
        None => TempFile(
            std::env::temp_dir().join(format!("botlens-bench-{}.log", std::process::id())),
            false,
        ),
    };

    let t = Instant::now();
    let (bytes, lines) = if file.1 && file.0.exists() {
        (std::fs::metadata(&file.0)?.len(), 0)
    } else {
        generate(&file.0, size)?
    };
    let mb = bytes as f64 / 1e6;
    println!(
        "generated {mb:.0} MB, {lines} lines in {:.1}s at {}",
        t.elapsed().as_secs_f64(),
        file.0.display()
    );
    // Warm the page cache once so every tool reads from memory.
    time_cmd(Command::new("cat").arg(&file.0))?;

    let (b, b_out) = best(runs, || {
        time_cmd(Command::new(botlens).arg("scan").arg(&file.0))
    })?;
    let (r, r_out) = best(runs, || {
        time_cmd(Command::new(&rg).args(["-o", "-i", UUID_RE]).arg(&file.0))
    })?;
    let (x, x_out) = best(runs, || time_regex(&file.0))?;
    let (l, l_out) = best(runs, || time_lib(&file.0))?;

    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "{:<34} {:>9} {:>10} {:>12}",
        "tool", "seconds", "MB/s", "output"
    );
    println!(
        "{:<34} {:>9.3} {:>10.0} {:>12} ids",
        "botlens scan (CLI, unique ids)",
        b.as_secs_f64(),
        rate(b),
        b_out
    );
    println!(
        "{:<34} {:>9.3} {:>10.0} {:>12} lines",
        "rg -o -i <uuid regex>",
        r.as_secs_f64(),
        rate(r),
        r_out
    );
    println!(
        "{:<34} {:>9.3} {:>10.0} {:>12} matches",
        "regex crate find_iter (in process)",
        x.as_secs_f64(),
        rate(x),
        x_out
    );
    println!(
        "{:<34} {:>9.3} {:>10.0} {:>12} occurrences",
        "botlens stream (in process)",
        l.as_secs_f64(),
        rate(l),
        l_out
    );
    let vs_rg = r.as_secs_f64() / b.as_secs_f64();
    println!(
        "botlens CLI vs ripgrep:     {vs_rg:.2}x  (goal >= 1.0x: {})",
        if vs_rg >= 1.0 { "met" } else { "NOT met" }
    );
    println!(
        "botlens CLI vs regex crate: {:.2}x",
        x.as_secs_f64() / b.as_secs_f64()
    );
    println!(
        "botlens lib vs regex crate: {:.2}x",
        x.as_secs_f64() / l.as_secs_f64()
    );
    Ok(())
}
