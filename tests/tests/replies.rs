//! Conversation in place, end to end (the webhook, the staff API, the TicketsTable stream and
//! the notifier against DynamoDB Local and the fake Telegram): a client's Telegram reply to the
//! bot's message about their ticket is a comment on it, and `/start t<id>` opens its card —
//! only for the contact who owns the ticket.

use e2e::fake_telegram::Call;
use e2e::{updates, TestEnv};
use serde_json::json;
use shared::texts;

const ANNA: u64 = 5001; // contact c1 of k1 «ООО Ромашка»
const BORIS: u64 = 5002; // contact c2 of k1
const ACTIVE: [&str; 4] = [texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru];

/// Анна and Борис registered, the notices of their registration sent.
async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.registered_second_contact(BORIS).await;
    env.run_notifier().await;
    env.telegram.clear();
    env
}

/// A ticket staff open for contact `contact` through the staff API (its creation notice sent).
async fn open(env: &TestEnv, contact: &str, subject: &str) -> u64 {
    let body = json!({"contact_id": contact, "subject": subject, "source": "email"});
    let (status, ticket) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201, "{ticket}");
    env.run_notifier().await;
    ticket["id"].as_u64().unwrap()
}

/// Staff change the status; the notifier tells the client. Returns the notice (its last message).
async fn set_status(env: &TestEnv, id: u64, status: &str, user: u64) -> Call {
    let (code, ticket) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": status}))).await;
    assert_eq!(code, 200, "{ticket}");
    env.run_notifier().await;
    let notice = env.telegram.messages_to(user as i64).pop().expect("a notice");
    assert!(!notice.from_webhook_response, "a notice is sent through the Bot API");
    notice
}

/// `user` replies `text` to the bot's message `to`.
async fn reply(env: &TestEnv, update_id: u64, user: u64, text: &str, to: &Call) -> (String, Vec<String>) {
    let quoted = to.text().unwrap_or_default();
    env.deliver(&updates::reply(update_id, user, text, to.message_id.expect("a message the bot made"), quoted)).await;
    last(env, user)
}

fn last(env: &TestEnv, user: u64) -> (String, Vec<String>) {
    let message = env.telegram.messages_to(user as i64).pop().expect("an answer");
    (message.text().unwrap_or_default().to_owned(), message.reply_keyboard())
}

fn comment_added(id: u64) -> String {
    texts::fill(texts::COMMENT_ADDED.ru, &[("id", &id.to_string())])
}

#[tokio::test]
async fn a_reply_to_a_status_notice_is_a_comment_on_its_ticket() {
    let env = world().await;
    let id = open(&env, "c1", "Принтер не печатает").await;
    let notice = set_status(&env, id, "in_progress", ANNA).await;

    let (said, menu) = reply(&env, 100, ANNA, "Он снова зажевал бумагу", &notice).await;
    assert_eq!(said, comment_added(id));
    assert_eq!(menu, ACTIVE);
    assert_eq!(env.client_comments(id).await, ["Он снова зажевал бумагу"]);

    // The comment reaches staff like one written through the menu, and the menu flow is intact.
    let details = env.ticket(id).await;
    assert_eq!(details.comments[0].author_id, "c1");
}

#[tokio::test]
async fn a_reply_to_the_bots_own_answers_about_a_ticket_is_a_comment() {
    let env = world().await;
    // Written straight to the bot with nothing active: a ticket, confirmed inline.
    env.deliver(&updates::text(100, ANNA, "Не работает почта")).await;
    let confirmation = env.telegram.messages_to(ANNA as i64).pop().unwrap();
    assert!(confirmation.from_webhook_response, "the confirmation rides in the webhook's response");
    let id = env.tickets_of("c1").await[0].id;
    assert_eq!(confirmation.text(), Some(texts::fill(texts::TICKET_CREATED.ru, &[("id", &id.to_string())]).as_str()));

    let (said, _) = reply(&env, 101, ANNA, "И календарь тоже", &confirmation).await;
    assert_eq!(said, comment_added(id));
    // A reply to that comment confirmation is another comment on the same ticket.
    let confirmation = env.telegram.messages_to(ANNA as i64).pop().unwrap();
    let (said, _) = reply(&env, 102, ANNA, "Уже с утра", &confirmation).await;
    assert_eq!(said, comment_added(id));
    assert_eq!(env.client_comments(id).await, ["И календарь тоже", "Уже с утра"]);
}

#[tokio::test]
async fn a_reply_to_a_completed_tickets_notice_is_a_question_on_it() {
    let env = world().await;
    let id = open(&env, "c1", "Принтер не печатает").await;
    let notice = set_status(&env, id, "done", ANNA).await;

    let (said, _) = reply(&env, 100, ANNA, "А почему снова полосы?", &notice).await;
    assert_eq!(said, comment_added(id), "the menu's question flow confirms the same way");
    assert_eq!(env.client_comments(id).await, ["А почему снова полосы?"]);
}

#[tokio::test]
async fn a_reply_about_a_cancelled_ticket_offers_a_new_one() {
    let env = world().await;
    let id = open(&env, "c1", "Принтер не печатает").await;
    let notice = set_status(&env, id, "cancelled", ANNA).await;

    env.deliver(&updates::reply(100, ANNA, "Он опять сломался", notice.message_id.unwrap(), "")).await;
    let offer = env.telegram.messages_to(ANNA as i64).pop().unwrap();
    assert_eq!(
        offer.text(),
        Some(texts::fill(texts::COMMENT_TICKET_CANCELLED.ru, &[("id", &id.to_string())]).as_str())
    );
    assert_eq!(offer.inline_buttons()[0].0, texts::BTN_NEW_REQUEST.ru);
    assert!(env.client_comments(id).await.is_empty(), "nothing lands on a cancelled ticket");

    // The message waited: «➕ Новая заявка» makes it a ticket.
    env.deliver(&updates::callback(101, ANNA, &offer.inline_buttons()[0].1)).await;
    let tickets = env.tickets_of("c1").await;
    let new = tickets.iter().find(|t| t.id != id).expect("a new ticket");
    assert_eq!(new.subject, "Он опять сломался");
}

#[tokio::test]
async fn a_reply_naming_another_clients_ticket_changes_nothing_of_it() {
    let env = world().await;
    let id = open(&env, "c1", "Принтер не печатает").await;
    let notice = set_status(&env, id, "in_progress", ANNA).await;
    let created = texts::fill(texts::TICKET_CREATED.ru, &[("id", &id.to_string())]);

    // Борис's updates carry Анна's notice id and a quoted confirmation of Анна's ticket: the
    // message id means nothing in his chat, and the ticket is not his.
    env.deliver(&updates::reply(100, BORIS, "Чужой ответ", notice.message_id.unwrap(), "")).await;
    env.deliver(&updates::reply(101, BORIS, "Ещё один", 1, &created)).await;

    assert!(env.client_comments(id).await.is_empty(), "Анна's ticket is untouched");
    // Each was an ordinary message from Борис: the first made his ticket, the second asks.
    let boris = env.tickets_of("c2").await;
    assert_eq!(boris.len(), 1);
    assert_eq!(boris[0].subject, "Чужой ответ");
    assert_eq!(last(&env, BORIS).0, texts::NEW_OR_ATTACH.ru);
}

#[tokio::test]
async fn a_deep_link_opens_the_card_only_for_its_owner() {
    let env = world().await;
    let id = open(&env, "c1", "Принтер не печатает").await;
    let link = format!("/start {}", shared::dialogue::deep_link_payload(id));

    env.webhook_requests.reset();
    env.deliver(&updates::text(100, ANNA, &link)).await;
    assert_eq!(env.webhook_requests.get(), 2, "the user, the ticket");
    let (card, _) = last(&env, ANNA);
    assert!(card.starts_with(&format!("📋 #{id} Принтер не печатает")), "{card}");
    assert!(card.contains("Новая"), "the card shows the status: {card}");

    env.webhook_requests.reset();
    env.deliver(&updates::text(101, BORIS, &link)).await;
    assert_eq!(env.webhook_requests.get(), 3, "the user, the ticket, his tickets for the menu");
    let (said, menu) = last(&env, BORIS);
    assert_eq!(said, texts::MENU_PROMPT.ru, "anyone else gets the main menu");
    assert_eq!(menu, [texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru]);

    // A reply to the card is a comment on it.
    let card = env.telegram.messages_to(ANNA as i64).pop().unwrap();
    let (said, _) = reply(&env, 102, ANNA, "Срочно, пожалуйста", &card).await;
    assert_eq!(said, comment_added(id));
}

#[tokio::test]
async fn a_reply_comment_costs_one_read_more_than_the_menus_comment() {
    let env = world().await;
    let id = open(&env, "c1", "Принтер не печатает").await;
    let notice = set_status(&env, id, "in_progress", ANNA).await;

    // The menu flow: «💬 Добавить комментарий», the ticket, then the comment (counted).
    env.deliver(&updates::text(100, ANNA, texts::BTN_COMMENT.ru)).await;
    env.deliver(&updates::callback(
        101,
        ANNA,
        &shared::dialogue::Press::Pick(shared::dialogue::TicketList::Comment, id).encode(),
    ))
    .await;
    env.webhook_requests.reset();
    env.deliver(&updates::text(102, ANNA, "Через меню")).await;
    let menu_flow = env.webhook_requests.get();
    assert_eq!(last(&env, ANNA).0, comment_added(id));

    env.webhook_requests.reset();
    reply(&env, 103, ANNA, "Ответом на уведомление", &notice).await;
    let by_reply = env.webhook_requests.get();
    assert_eq!(last(&env, ANNA).0, comment_added(id));
    println!("a comment: {menu_flow} DynamoDB requests through the menu, {by_reply} as a reply to a notice");
    assert_eq!(menu_flow, 4, "the user, the contact's tickets, the ticket, one transaction");
    assert_eq!(by_reply, menu_flow + 1, "one read more: which ticket the notice is about");

    // A reply to the bot's inline answer reads nothing more than the menu's comment.
    let confirmation = env.telegram.messages_to(ANNA as i64).pop().unwrap();
    env.webhook_requests.reset();
    reply(&env, 104, ANNA, "Ответом на подтверждение", &confirmation).await;
    assert_eq!(env.webhook_requests.get(), menu_flow);
    assert_eq!(env.client_comments(id).await.len(), 3);
}

const PETR: u64 = 7002; // employee e2, an engineer

#[tokio::test]
async fn a_staff_notice_carries_the_card_button_which_opens_the_card_for_staff_only() {
    let env = world().await;
    let (status, answer) =
        env.api("PUT", "/employees/e2", Some(json!({"name": "Пётр Инженеров", "phone": "+7 999 111-22-44"}))).await;
    assert!(status == 200 || status == 201, "{answer}");
    env.deliver(&updates::contact(3, PETR, "79991112244", Some(PETR))).await;
    let id = open(&env, "c1", "Принтер не печатает").await;
    let (code, ticket) =
        env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "in_progress", "assignee_id": "e2"}))).await;
    assert_eq!(code, 200, "{ticket}");
    env.run_notifier().await;
    let notice = env.telegram.messages_to(ANNA as i64).pop().unwrap();

    // Анна answers the notice; the assignee hears of it, with the card's button and the link's.
    reply(&env, 100, ANNA, "Бумага застряла", &notice).await;
    env.run_notifier().await;
    let to_petr = env.telegram.messages_to(PETR as i64).pop().expect("a notice to the assignee");
    assert!(to_petr.text().unwrap().contains("Бумага застряла"), "{:?}", to_petr.text());
    // His ticket, in progress: «✅ Выполнено», the card, the link.
    let buttons = to_petr.inline_buttons();
    let card_button = (texts::BTN_CARD.ru.to_owned(), format!("cd:{id}"));
    assert_eq!(buttons[0], (texts::BTN_DONE.ru.to_owned(), format!("sf:done:{id}:2")));
    assert_eq!(buttons[1], card_button);
    let link = &to_petr.params["reply_markup"]["inline_keyboard"][2][0];
    assert_eq!(link["text"], texts::BTN_OPEN_TICKET.ru);
    assert!(link["url"].as_str().unwrap().ends_with(&format!("/tickets/{id}")));
    // Анна's notices keep her menu: one set of buttons a message.
    assert_eq!(env.telegram.messages_to(ANNA as i64).pop().unwrap().reply_keyboard(), ACTIVE);

    env.deliver(&updates::callback(101, PETR, &card_button.1)).await;
    let (card, _) = last(&env, PETR);
    assert!(card.starts_with(&format!("📋 #{id} Принтер не печатает")), "{card}");
    assert!(card.contains("Пётр Инженеров"), "the card names the assignee: {card}");

    // Борис forges the press: not his ticket, refused as the card's list would refuse it.
    env.deliver(&updates::callback(102, BORIS, &card_button.1)).await;
    let refused = env.telegram.calls().into_iter().rev().find(|c| c.method == "answerCallbackQuery").unwrap();
    let refusal = texts::fill(texts::TICKET_NOT_AVAILABLE.ru, &[("id", &id.to_string())]);
    assert_eq!(refused.params["text"], refusal.as_str());
    assert!(env.telegram.messages_to(BORIS as i64).iter().all(|m| !m.text().unwrap_or_default().contains("📋 #")));
}
