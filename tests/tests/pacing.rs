//! Notices at Telegram's pace, end to end: the notifier against DynamoDB Local and a fake
//! Telegram that answers 429 beyond the flood limits (30 a second in all, 3 to one chat in any 3
//! seconds). Correctness only (the speed is `make bench-notices`'): every notice once, each
//! chat's in the order of the changes, none refused, nothing kept.

use e2e::TestEnv;
use serde_json::json;
use std::time::Duration;

const ANNA: u64 = 5001; // contact c1
const BORIS: u64 = 5002; // contact c2

#[tokio::test]
async fn a_burst_to_two_chats_goes_within_the_flood_limits_in_order_and_once() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.registered_second_contact(BORIS).await;
    env.run_notifier().await;
    env.telegram.clear();
    env.telegram.enforce_flood_limits(30, 3, Duration::from_secs(3));

    // Five tickets each, from another channel: each is announced to its client.
    let mut subjects = vec![];
    for i in 1..=5 {
        for contact in ["c1", "c2"] {
            let subject = format!("{contact}: заявка {i}");
            let body = json!({"contact_id": contact, "subject": subject, "source": "email"});
            let (status, answer) = env.api("POST", "/tickets", Some(body)).await;
            assert_eq!(status, 201, "{answer}");
            subjects.push(subject);
        }
    }
    let batch = env.stream_batch().await;
    assert_eq!(env.notify(batch.clone()).await, Vec::<String>::new(), "no record handed back");
    for (chat, contact) in [(ANNA, "c1"), (BORIS, "c2")] {
        let told = env.telegram.texts_to(chat as i64);
        let theirs: Vec<&String> = subjects.iter().filter(|s| s.starts_with(contact)).collect();
        assert_eq!(told.len(), theirs.len(), "each once: {told:#?}");
        for (text, subject) in told.iter().zip(theirs) {
            assert!(text.contains(subject.as_str()), "in the order of the changes: {text} / {subject}");
        }
    }
    assert_eq!(env.telegram.flood_refusals(), 0, "paced below the limits: no 429");
    assert!(env.kept().await.is_empty());

    // The stream delivers the same records again: nothing is sent twice.
    let attempts = env.telegram.calls().len();
    assert_eq!(env.notify(batch).await, Vec::<String>::new());
    assert_eq!(env.telegram.calls().len(), attempts);
}
