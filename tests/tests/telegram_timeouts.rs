//! A silent Telegram cannot hold a caller: every Bot API call and every download ends by the
//! client's timeouts (the tests' short ones, `e2e::TEST_TIMEOUTS`), as a failure that may pass.

use e2e::fake_telegram::FakeTelegram;
use e2e::TEST_TIMEOUTS;
use shared::dialogue::Reply;
use shared::ports::{DownloadError, FileSource, Messenger, SendError};
use shared::telegram::TelegramMessenger;
use std::time::{Duration, Instant};

async fn telegram() -> (FakeTelegram, TelegramMessenger) {
    let fake = FakeTelegram::start(e2e::BOT_TOKEN).await;
    fake.add_file("f1", "documents/act.pdf", b"%PDF-1.4 act".to_vec());
    let messenger = TelegramMessenger::with_timeouts(&fake.url, e2e::BOT_TOKEN, TEST_TIMEOUTS).expect("a client");
    (fake, messenger)
}

/// Ended by the call timeout, not long after.
fn by_the_call_timeout(took: Duration) -> bool {
    took >= TEST_TIMEOUTS.call && took < TEST_TIMEOUTS.call + Duration::from_secs(1)
}

#[tokio::test]
async fn a_message_to_a_silent_telegram_times_out() {
    let (fake, messenger) = telegram().await;
    fake.go_silent();
    let start = Instant::now();
    let sent = messenger
        .send(
            42,
            &Reply::Notice {
                html: "<b>x</b>".into(),
                url: None,
                keyboard: shared::dialogue::Keyboard::Keep,
                lang: shared::texts::Lang::Ru,
            },
        )
        .await;
    assert!(matches!(sent, Err(SendError::TimedOut)), "{sent:?}");
    assert!(!sent.as_ref().is_err_and(SendError::is_final), "a timeout may pass");
    assert!(by_the_call_timeout(start.elapsed()), "{:?}", start.elapsed());
}

#[tokio::test]
async fn a_download_from_a_silent_telegram_times_out() {
    let (fake, messenger) = telegram().await;
    assert_eq!(messenger.download("f1").await.expect("served while Telegram answers"), b"%PDF-1.4 act");
    fake.go_silent();
    let start = Instant::now();
    let downloaded = messenger.download("f1").await;
    assert!(matches!(downloaded, Err(DownloadError::Unavailable(_))), "{downloaded:?}");
    assert!(by_the_call_timeout(start.elapsed()), "getFile gives up: {:?}", start.elapsed());
}

#[tokio::test]
async fn a_download_that_stalls_ends_when_no_byte_comes_for_a_call_timeout() {
    let (fake, messenger) = telegram().await;
    fake.stall_downloads();
    let start = Instant::now();
    let downloaded = messenger.download("f1").await;
    assert!(matches!(downloaded, Err(DownloadError::Unavailable(_))), "{downloaded:?}");
    let took = start.elapsed();
    assert!(by_the_call_timeout(took) && took < TEST_TIMEOUTS.download, "before the download's own limit: {took:?}");
}
