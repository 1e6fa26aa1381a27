//! Every kind of message a client sends is kept (end to end, the webhook against DynamoDB
//! Local, moto's S3 and the fake Telegram): a location or a venue becomes text in the ticket with
//! a map link, a colleague's contact card becomes «👤 name, phone», a GIF is attached as the
//! file Telegram gives, and a location sent as a reply to a ticket's notice is a comment on it.

use e2e::{updates, TestEnv};

const ANNA: u64 = 5001; // contact c1 of k1

async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env
}

/// What the client wrote, as the ticket keeps it: the first 50 characters are its subject.
fn written(details: &shared::domain::TicketDetails) -> String {
    format!("{}{}", details.ticket.subject, details.ticket.message)
}

/// The one ticket Анна has, with what it holds.
async fn only_ticket(env: &TestEnv) -> shared::domain::TicketDetails {
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1, "{tickets:?}");
    env.ticket(tickets[0].id).await
}

#[tokio::test]
async fn a_location_becomes_a_ticket_with_the_point_and_a_map_link() {
    let env = world().await;
    env.deliver(&updates::location(10, ANNA, (55.751244, 37.618423), None)).await;
    let ticket = only_ticket(&env).await;
    assert_eq!(
        written(&ticket),
        "📍 55.751244, 37.618423\nhttps://www.openstreetmap.org/?mlat=55.751244&mlon=37.618423#map=17/55.751244/37.618423"
    );
    let said = env.telegram.texts_to(ANNA as i64);
    assert!(said.last().unwrap().contains(&format!("#{}", ticket.ticket.id)), "registered: {said:?}");
    assert!(!said.iter().any(|t| t.contains("геопозицию")), "not refused: {said:?}");
}

#[tokio::test]
async fn a_venue_keeps_its_title_and_address_and_a_reply_with_a_location_is_a_comment() {
    let env = world().await;
    env.deliver(&updates::location(10, ANNA, (55.7, 37.6), Some(("Офис «Ромашки»", "Тверская, 1")))).await;
    let ticket = only_ticket(&env).await;
    assert!(written(&ticket).starts_with("🏢 Офис «Ромашки», Тверская, 1\n📍 55.700000, 37.600000\n"));

    // «Where are you?» answered by replying to the bot's message about the ticket.
    let answer = env.telegram.messages_to(ANNA as i64).pop().expect("the registration answer");
    let quoted = answer.text().unwrap_or_default().to_owned();
    let mut reply = updates::location(11, ANNA, (59.9, 30.3), None);
    reply["message"]["reply_to_message"] = serde_json::json!({
        "message_id": answer.message_id.expect("the bot's message"), "date": 1_764_000_000,
        "chat": {"id": ANNA, "type": "private"}, "from": {"id": 1, "is_bot": true, "first_name": "bot"}, "text": quoted,
    });
    env.deliver(&reply).await;
    let comments = env.client_comments(ticket.ticket.id).await;
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(comments[0].starts_with("📍 59.900000, 30.300000\n"), "{comments:?}");
}

#[tokio::test]
async fn a_colleagues_card_becomes_text_and_a_gif_a_file() {
    let env = world().await;
    env.deliver(&updates::contact(10, ANNA, "79990001122", Some(ANNA + 7))).await;
    let ticket = only_ticket(&env).await;
    assert_eq!(written(&ticket), "👤 Анна, +79990001122");
    assert_eq!(env.api("GET", "/contacts/c1", None).await.1["telegram_linked"], true, "still Анна's account");

    env.telegram.add_file("gif-1", "animations/blink.mp4", b"\x00\x00\x00\x18ftypmp42 a short loop".to_vec());
    // A comment on the ticket: the menu's «💬 Комментарий» is one way; a GIF sent as a reply is another.
    let answer = env.telegram.messages_to(ANNA as i64).pop().expect("the registration answer");
    let quoted = answer.text().unwrap_or_default().to_owned();
    let mut gif = updates::gif(11, ANNA, "gif-1", Some("Вот так мигает"));
    gif["message"]["reply_to_message"] = serde_json::json!({
        "message_id": answer.message_id.expect("the bot's message"), "date": 1_764_000_000,
        "chat": {"id": ANNA, "type": "private"}, "from": {"id": 1, "is_bot": true, "first_name": "bot"}, "text": quoted,
    });
    env.deliver(&gif).await;
    let details = env.ticket(ticket.ticket.id).await;
    assert_eq!(details.comments.len(), 1, "{:?}", details.comments);
    assert_eq!(details.comments[0].text, "Вот так мигает", "the caption is the comment");
    let names: Vec<&str> = details.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["blink.mp4"], "the GIF once, as Telegram gives it");
}
