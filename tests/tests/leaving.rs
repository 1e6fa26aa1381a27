//! Leaving the bot: `/unlink` asks, then unlinks this Telegram account from the contact (the
//! tickets stay; no more notices here) and says how to come back; `/start` then asks for the
//! phone again.

use e2e::{updates, TestEnv};
use serde_json::json;
use shared::texts;

const ANNA: u64 = 5001;
const CHAT: i64 = ANNA as i64;

fn last(env: &TestEnv) -> e2e::fake_telegram::Call {
    env.telegram.messages_to(CHAT).pop().expect("a message to Анна")
}

#[tokio::test]
async fn unlink_asks_then_lets_go_and_start_asks_for_the_phone_again() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.deliver(&updates::text(10, ANNA, "Не работает почта")).await;
    let id = env.tickets_of("c1").await[0].id;

    env.deliver(&updates::text(11, ANNA, "/unlink")).await;
    let asked = last(&env);
    assert_eq!(asked.text(), Some(texts::UNLINK_CONFIRM.ru));
    assert_eq!(
        asked.inline_buttons(),
        [
            (texts::BTN_UNLINK_YES.ru.to_owned(), "ul:yes".to_owned()),
            (texts::BTN_UNLINK_NO.ru.to_owned(), "ul:no".to_owned())
        ]
    );
    // "No": nothing changes.
    env.deliver(&updates::callback(12, ANNA, "ul:no")).await;
    assert_eq!(last(&env).text(), Some(texts::UNLINK_KEPT.ru));
    let (_, contact) = env.api("GET", "/contacts/c1", None).await;
    assert_eq!(contact["telegram_linked"], true);

    env.deliver(&updates::callback(13, ANNA, "ul:yes")).await;
    let unlinked = last(&env);
    assert_eq!(unlinked.text(), Some(texts::UNLINKED.ru));
    assert_eq!(unlinked.reply_keyboard(), [texts::BTN_SHARE_PHONE.ru], "the way back offered");
    let (_, contact) = env.api("GET", "/contacts/c1", None).await;
    assert_eq!(contact["telegram_linked"], false);
    assert_eq!(env.ticket(id).await.ticket.contact_id, "c1", "the ticket stays with the contact");

    // No more notices here.
    env.run_notifier().await;
    env.telegram.clear();
    env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "in_progress"}))).await;
    env.run_notifier().await;
    assert!(env.telegram.texts_to(CHAT).is_empty(), "an unlinked account hears nothing");

    // A press of the old question answers as to anyone unregistered; /start asks for the phone.
    env.deliver(&updates::text(14, ANNA, "/start")).await;
    assert_eq!(last(&env).text(), Some(texts::REGISTER_PROMPT.ru));
    env.deliver(&updates::contact(15, ANNA, "79123456789", Some(ANNA))).await;
    let (_, contact) = env.api("GET", "/contacts/c1", None).await;
    assert_eq!(contact["telegram_linked"], true, "sharing the phone links again");
}
