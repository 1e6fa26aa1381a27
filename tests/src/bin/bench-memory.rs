//! `make bench-memory`: the peak memory and the duration of the webhook's release binary, one
//! update per fresh process, as Lambda runs it.
//!
//! The binary runs under a minimal Lambda Runtime API on loopback (`e2e::artifact::Process`), against the local stack
//! (DynamoDB Local, moto's S3) and the fake Telegram, which serves the files. Each case starts
//! the binary, reads its resident memory when it first asks for an event (idle), hands it a
//! registered client's `/start` and reads its peak (`VmHWM`, the memory of a warm instance),
//! then hands it the case's update and reads the peak again. Durations: the first `/start`
//! (cold) and the median of the case's updates (warm).
//!
//!     cargo run -p e2e --bin bench-memory -- <path to the webhook binary>

use e2e::artifact::{lambda_environment, Process};
use e2e::{updates, Function, TestEnv};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The registered client's Telegram id.
const USER: u64 = 4242;

/// A Function URL request carrying `update`, as Telegram posts it.
fn function_url_event(update: &Value) -> Value {
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": "/", "rawQueryString": "",
        "headers": {"content-type": "application/json", "x-telegram-bot-api-secret-token": e2e::WEBHOOK_SECRET},
        "requestContext": {
            "accountId": "anonymous", "apiId": "bench", "domainName": "bench.lambda-url.us-east-1.on.aws",
            "domainPrefix": "bench", "requestId": "bench-request", "routeKey": "$default", "stage": "$default",
            "time": "26/Nov/2026:12:00:00 +0000", "timeEpoch": 1_764_158_400_000u64,
            "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "149.154.167.220", "userAgent": "bench"}
        },
        "body": update.to_string(), "isBase64Encoded": false
    })
}

/// A picture of `width` x `height` with gradients and some noise, as PNG (RGB or RGBA).
fn png(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    // Less noise with alpha, so that both files stay under Telegram's 20 MB.
    let mask = if alpha { 0x07 } else { 0x0F };
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed & mask) as u8
    };
    let mut pixels = Vec::with_capacity((width * height * if alpha { 4 } else { 3 }) as usize);
    for y in 0..height {
        for x in 0..width {
            pixels.push((x * 255 / width) as u8 ^ noise());
            pixels.push((y * 255 / height) as u8);
            pixels.push(((x / 40 + y / 40) % 2 * 180) as u8 | noise());
            if alpha {
                pixels.push(255 - (x * 64 / width) as u8);
            }
        }
    }
    let mut out = std::io::Cursor::new(vec![]);
    let color = if alpha { image::ExtendedColorType::Rgba8 } else { image::ExtendedColorType::Rgb8 };
    image::ImageEncoder::write_image(image::codecs::png::PngEncoder::new(&mut out), &pixels, width, height, color)
        .expect("a PNG");
    out.into_inner()
}

struct Case {
    name: String,
    updates: Vec<Value>,
    /// The file's size, when the update carries one.
    file_mb: Option<f64>,
    /// Where the file must end up in the bucket.
    stored_as: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let binary = std::env::args().nth(1).ok_or("usage: bench-memory <path to the webhook binary>")?;
    let env = TestEnv::new().await;
    env.registered_contact(USER).await;

    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let document: Vec<u8> = (0..19 * 1024 * 1024)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 56) as u8
        })
        .collect();
    let rgb = png(4000, 3000, false);
    let rgba = png(4000, 3000, true);
    let mb = |bytes: &[u8]| bytes.len() as f64 / 1024.0 / 1024.0;
    let cases = vec![
        Case {
            name: "/start (2 reads), 5 times".into(),
            updates: (1..=5).map(|i| updates::start(i, USER)).collect(),
            file_mb: None,
            stored_as: None,
        },
        Case {
            name: "a text ticket".into(),
            updates: vec![updates::text(10, USER, "Не работает принтер")],
            file_mb: None,
            stored_as: None,
        },
        Case {
            name: format!("a {:.1} MB document", mb(&document)),
            updates: vec![updates::document(
                20,
                USER,
                "doc-19",
                "scan.pdf",
                "application/pdf",
                document.len() as u64,
                None,
            )],
            file_mb: Some(mb(&document)),
            stored_as: Some(shared::media::object_key("doc-19-u", "scan.pdf")),
        },
        Case {
            name: format!("a 12 MP RGB PNG photo ({:.1} MB)", mb(&rgb)),
            updates: vec![updates::photo(30, USER, "png-rgb", rgb.len() as u64, None, None)],
            file_mb: Some(mb(&rgb)),
            stored_as: Some(shared::media::object_key("png-rgb-u", "photo-png-rgb-u.jpg")),
        },
        Case {
            name: format!("a 12 MP RGBA PNG photo ({:.1} MB)", mb(&rgba)),
            updates: vec![updates::photo(40, USER, "png-rgba", rgba.len() as u64, None, None)],
            file_mb: Some(mb(&rgba)),
            stored_as: Some(shared::media::object_key("png-rgba-u", "photo-png-rgba-u.jpg")),
        },
    ];
    env.telegram.add_file("doc-19", "documents/scan.pdf", document);
    env.telegram.add_file("png-rgb", "photos/rgb.png", rgb);
    env.telegram.add_file("png-rgba", "photos/rgba.png", rgba);

    let mut environment =
        lambda_environment(Function::Webhook, e2e::function_env(Function::Webhook, &env.resources, &env.telegram.url));
    environment.push(("RUST_LOG".into(), "warn".into()));
    println!(
        "{:38} {:>8} {:>9} {:>8} {:>8} {:>8} {:>10}",
        "update (fresh process, after a /start)", "idle MB", "/start MB", "peak MB", "+MB", "+/file", "ms"
    );
    for (case_number, case) in (1u8..).zip(cases) {
        let mut process = Process::start(std::path::Path::new(&binary), &environment).await?;
        let pid = process.id().ok_or("the binary exited at once")?;
        // Each process first answers a registered client's `/start` (what an instance has
        // done once it is warm), then the case's updates.
        let mut warm_up = vec![updates::start(1000 + u64::from(case_number), USER)];
        warm_up.extend(case.updates.iter().cloned());
        let mut timings = vec![];
        let mut waiting_rss = f64::NAN;
        let mut after_start = f64::NAN;
        for (i, update) in warm_up.iter().enumerate() {
            process.until_waiting(Duration::from_secs(10)).await?;
            let (rss, peak) = e2e::memory_of(&pid.to_string());
            match i {
                0 => waiting_rss = rss,
                1 => after_start = peak,
                _ => {}
            }
            let started = Instant::now();
            let answer = process.invoke(&function_url_event(update), Duration::from_secs(30)).await?;
            timings.push(started.elapsed().as_secs_f64() * 1000.0);
            let status = answer.get("statusCode").and_then(Value::as_u64);
            if status != Some(200) {
                return Err(format!("{}: the webhook answered {answer}", case.name).into());
            }
        }
        // The last answer is posted before the runtime asks again: wait for that ask, so that
        // the peak includes everything the update did.
        process.until_waiting(Duration::from_secs(10)).await?;
        let (_, peak) = e2e::memory_of(&pid.to_string());
        let per_file = case.file_mb.map_or(String::new(), |file| format!("{:.2} x", (peak - after_start) / file));
        let mut warm = timings[1..].to_vec();
        warm.sort_by(f64::total_cmp);
        let ms = format!("{:.0} / {:.0}", timings[0], warm[warm.len() / 2]);
        let stored = match &case.stored_as {
            Some(key) => match env.files().get(key).await {
                Ok(bytes) => format!("stored, {:.1} MB", mb(&bytes)),
                Err(_) => "NOT STORED".into(),
            },
            None => String::new(),
        };
        println!(
            "{:38} {waiting_rss:8.1} {after_start:9.1} {peak:8.1} {:8.1} {per_file:>8} {ms:>10}  {stored}",
            case.name,
            peak - after_start
        );
        drop(process);
    }
    Ok(())
}
