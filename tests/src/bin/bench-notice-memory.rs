//! `make bench-notice-memory`: what a file uploaded through the staff API costs the notifier's
//! memory when its notice sends it to a chat: streamed from S3 (moto) to the Bot API as a
//! multipart part, never held whole.
//!
//! The process's peak resident memory (`VmHWM`) is reset (`/proc/self/clear_refs`) once the
//! local stack is up and the messenger made, then the file is sent through the notifier's own
//! `TelegramMessenger` to a Bot API stand-in that reads the upload and throws each chunk away
//! (so the receiving end holds nothing either). Run it as a release build.
//!
//!     cargo run --release -p e2e --bin bench-notice-memory -- [MB]

use axum::routing::post;
use e2e::TestEnv;
use shared::dialogue::{Reply, StoredFile};
use shared::ports::Messenger;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An S3 client of moto itself: the permission proxy, which buffers what passes through it,
/// runs in this process and would be counted.
async fn direct_s3() -> aws_sdk_s3::Client {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(e2e::localstack::REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new("local", "local", None, None, "bench"))
        .load()
        .await;
    let config = aws_sdk_s3::config::Builder::from(&sdk)
        .endpoint_url(&e2e::stack().s3_direct_url)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let megabytes: u64 = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    let size = megabytes * 1024 * 1024;
    let env = TestEnv::new().await;

    // The file, written to disk a chunk at a time and uploaded from there: never in memory.
    let path = std::env::temp_dir().join(format!("bench-notice-{}.bin", std::process::id()));
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut chunk = vec![0u8; 64 * 1024];
        for _ in 0..size / chunk.len() as u64 {
            for byte in chunk.iter_mut() {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                *byte = (seed >> 56) as u8;
            }
            file.write_all(&chunk)?;
        }
    }
    let key = "api/bench/report.pdf";
    e2e::stack()
        .s3()
        .put_object()
        .bucket(&env.notifier_config.attachments_bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from_path(&path).await?)
        .send()
        .await?;
    std::fs::remove_file(&path)?;

    // A Bot API that reads what it is sent and keeps none of it.
    let received = Arc::new(AtomicU64::new(0));
    let counted = received.clone();
    let app = axum::Router::new().route(
        "/{bot}/{method}",
        post(move |body: axum::body::Body| {
            let counted = counted.clone();
            async move {
                let mut stream = body.into_data_stream();
                while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut stream).await {
                    counted.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                axum::Json(serde_json::json!({"ok": true, "result": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let messenger = shared::telegram::TelegramMessenger::with_timeouts(
        &format!("http://{address}"),
        e2e::BOT_TOKEN,
        shared::telegram::Timeouts::default(),
    )?
    .with_bucket(shared::s3::S3Files::new(direct_s3().await, &env.notifier_config.attachments_bucket));
    let file = StoredFile {
        name: "report.pdf".into(),
        content_type: "application/pdf".into(),
        size,
        key: key.into(),
        telegram: None,
    };

    std::fs::write("/proc/self/clear_refs", "5")?; // VmHWM := VmRSS from here
    let (idle, _) = e2e::memory_of("self");
    let started = std::time::Instant::now();
    messenger.send(1, &Reply::Files(vec![file])).await.map_err(|e| format!("not sent: {e}"))?;
    let took = started.elapsed();
    let (_, peak) = e2e::memory_of("self");
    let file_mb = size as f64 / 1024.0 / 1024.0;
    println!(
        "a {file_mb:.0} MB upload sent: {:.1} MB received by the Bot API stand-in in {:.2} s; \
         memory {idle:.1} MB before, peak {peak:.1} MB: +{:.1} MB ({:.2} x the file)",
        received.load(Ordering::Relaxed) as f64 / 1024.0 / 1024.0,
        took.as_secs_f64(),
        peak - idle,
        (peak - idle) / file_mb
    );
    Ok(())
}
