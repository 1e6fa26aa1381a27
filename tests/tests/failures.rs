//! Every failure ends: what a client meets when something cannot be done, end to end against
//! DynamoDB Local, the S3 server and the fake Telegram.

use e2e::{insert_ticket, updates, TestEnv};
use shared::domain::TicketStatus;
use shared::texts;

const ANNA: u64 = 6001;
const CHAT: i64 = ANNA as i64;

#[tokio::test]
async fn a_file_telegram_refuses_is_named_and_the_rest_is_saved() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    // No such file at the fake: `getFile` answers 400 "invalid file_id", as Telegram does.
    let photo = updates::photo(20, ANNA, "vanished", 1000, Some("Скрин ошибки"), None);
    env.webhook_requests.reset();
    let reply = env.deliver(&photo).await;
    assert_eq!(reply.status, 200, "answered once: a redelivery would meet the same refusal");
    // The user, the contact's tickets, the counter, one transaction: as for any ticket.
    assert_eq!(env.webhook_requests.get(), 4, "one delivery, four DynamoDB requests");
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1, "the caption still makes the ticket");
    let ticket = env.ticket(tickets[0].id).await;
    assert_eq!(ticket.ticket.subject, "Скрин ошибки");
    assert!(ticket.attachments.is_empty());
    let said = env.telegram.texts_to(CHAT);
    assert_eq!(said[0], texts::fill(texts::FILE_UNREADABLE.ru, &[("name", "photo-vanished-u.jpg")]));
    assert!(said[1].starts_with("✔️ Ваше обращение зарегистрировано"), "{said:?}");
}

#[tokio::test]
async fn three_failed_deliveries_end_in_one_clear_answer() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.telegram.add_file("late", "photos/late.jpg", vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16]);
    // The bucket is gone for good (as an operator's mistake would leave it).
    let s3 = e2e::stack().s3();
    s3.delete_bucket().bucket(&env.config.attachments_bucket).send().await.unwrap();
    let photo = updates::photo(30, ANNA, "late", 1000, Some("Скрин"), None);
    env.webhook_requests.reset();
    assert_eq!(env.deliver(&photo).await.status, 500, "the first failure may pass: Telegram redelivers");
    // The user and the count of failed attempts: files are stored before anything else is read
    // or written.
    assert_eq!(env.webhook_requests.get(), 2, "a failed delivery costs two DynamoDB requests");
    assert_eq!(env.deliver(&photo).await.status, 500);
    let last = env.deliver(&photo).await;
    assert_eq!(last.status, 200, "the third ends it");
    let apology = texts::fill(texts::UPDATE_FAILED.ru, &[("support", e2e::SUPPORT_PHONE)]);
    assert_eq!(env.telegram.texts_to(CHAT), vec![apology], "one sentence, once");
    assert!(env.tickets_of("c1").await.is_empty(), "nothing half-done");
}

#[tokio::test]
async fn a_lost_answer_is_given_again_on_the_redelivery() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let update = updates::text(40, ANNA, "Не работает принтер");
    // Telegram never got our first answer (a timeout on its side): it redelivers.
    let first = env.post_webhook(Some(e2e::WEBHOOK_SECRET), serde_json::to_vec(&update).unwrap()).await;
    let again = env.post_webhook(Some(e2e::WEBHOOK_SECRET), serde_json::to_vec(&update).unwrap()).await;
    assert_eq!((first.status, again.status), (200, 200));
    let confirmation = first.body.expect("the confirmation rides in the response");
    assert_eq!(again.body, Some(confirmation.clone()), "the same confirmation, so the client sees it once");
    assert!(confirmation["text"].as_str().unwrap().starts_with("✔️ Ваше обращение зарегистрировано"));
    assert_eq!(env.tickets_of("c1").await.len(), 1, "one ticket");
}

#[tokio::test]
async fn a_waiting_message_grows_only_within_the_limits() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    insert_ticket(&env.store(), "c1", TicketStatus::InProgress).await;
    let long = "Очень подробное описание проблемы. ".repeat(115); // 4,025 characters
    assert_eq!(env.deliver(&updates::text(50, ANNA, &long)).await.status, 200);
    assert_eq!(env.telegram.texts_to(CHAT).last().unwrap(), texts::NEW_OR_ATTACH.ru);
    for update_id in 51..=53 {
        assert_eq!(env.deliver(&updates::text(update_id, ANNA, &long)).await.status, 200);
    }
    // A fifth would take the waiting text past what the user's record may hold.
    assert_eq!(env.deliver(&updates::text(54, ANNA, &long)).await.status, 200);
    assert_eq!(env.telegram.texts_to(CHAT).last().unwrap(), texts::PENDING_FULL.ru);

    let question = env.telegram.messages_to(CHAT).into_iter().rev().find(|c| !c.inline_buttons().is_empty()).unwrap();
    let new_ticket = question.inline_buttons()[0].1.clone();
    assert_eq!(env.deliver(&updates::callback(55, ANNA, &new_ticket)).await.status, 200);
    let mine = env.tickets_of("c1").await;
    let made = env.ticket(mine.iter().map(|t| t.id).max().unwrap()).await;
    let kept = made.ticket.subject.chars().count() + made.ticket.message.chars().count();
    assert_eq!(kept, 4 * long.trim().chars().count() + 3, "four messages joined by line breaks, nothing cut");
}
