//! Measures the work an update costs besides I/O: the dialogue's decision, and a photo's way
//! to JPEG (untouched bytes for a JPEG; decode + encode for anything else).
//! Run: `cargo bench -p shared --bench hot_paths` (release). Prints medians; asserts nothing.

use shared::dialogue::{
    self, Command, Content, DialogueSettings, Event, Facts, Inbound, State, TicketSummary, UserRecord,
};
use shared::domain::{Link, TicketStatus};
use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn measure(name: &str, iterations: usize, mut work: impl FnMut()) {
    let runs: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    println!("{name:<52} median {:>12.3?}  ({iterations} runs)", median(runs));
}

fn main() {
    let settings = DialogueSettings {
        support_phone: "+7 800 555-35-35".into(),
        phone_region: "RU".parse().unwrap(),
        timezone: shared::zone::Zone::named("Europe/Moscow").expect("a zone"),
        hours: None,
        default_lang: shared::texts::Lang::Ru,
    };
    let user = UserRecord {
        link: Some(Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна".into() }),
        state: State::Idle,
        version: 7,
        language: None,
    };
    let tickets: Vec<TicketSummary> = (1..=30)
        .map(|id| TicketSummary {
            id,
            subject: format!("Заявка {id}"),
            status: if id % 3 == 0 { TicketStatus::Done } else { TicketStatus::InProgress },
        })
        .collect();
    let facts = Facts { tickets: Some(tickets), new_ticket_id: Some(31), ..Facts::default() };
    let text = Inbound {
        update_id: 1,
        user_id: 5001,
        chat_id: 5001,
        event: Event::Message(Content {
            text: Some("Не работает почта: письма не уходят с утра, ошибка 0x800CCC0E".into()),
            ..Content::default()
        }),
        language_code: None,
    };
    let start = Inbound { event: Event::Command(Command::Start), ..text.clone() };
    measure("dialogue: /start of a registered contact", 10_000, || {
        black_box(dialogue::step(&settings, &user, black_box(&start), &facts).unwrap());
    });
    measure("dialogue: direct text with 30 tickets (new or attach?)", 10_000, || {
        black_box(dialogue::step(&settings, &user, black_box(&text), &facts).unwrap());
    });

    // A 12-megapixel photo, as phones take them.
    let image = image::RgbImage::from_fn(4000, 3000, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
    });
    let mut jpeg = Cursor::new(vec![]);
    image::DynamicImage::ImageRgb8(image.clone()).write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_inner();
    let mut png = Cursor::new(vec![]);
    image.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    println!("12 MP test photo: JPEG {} KB, PNG {} KB", jpeg.len() / 1024, png.len() / 1024);
    measure("photo: 12 MP JPEG stored as is (no decode)", 50, || {
        black_box(shared::media::photo_as_jpeg(black_box(jpeg.clone())).unwrap());
    });
    measure("photo: 12 MP PNG decoded and encoded to JPEG", 5, || {
        black_box(shared::media::photo_as_jpeg(black_box(png.clone())).unwrap());
    });
}
