//! Attachments: photos become JPEG, every file gets a safe object key.

#[cfg(feature = "bot")]
use std::io::Cursor;

/// Telegram refuses bot downloads of files over 20 MB.
pub const MAX_DOWNLOAD_BYTES: u64 = 20 * 1024 * 1024;

/// Whether the bytes are a JPEG (by its start-of-image marker). Such bytes are stored as they
/// are: no decoding, no re-encoding.
#[cfg(feature = "bot")]
pub fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The longest side of a photo that is decoded (Telegram's own photos are at most 2,560 px).
#[cfg(feature = "bot")]
pub const MAX_PHOTO_SIDE: u32 = 8_192;

/// What decoding one photo may allocate: a 20 MP image decodes in 80 MB. With the file itself
/// (at most [`MAX_DOWNLOAD_BYTES`]) this bounds a photo's memory, which the webhook's
/// `MemorySize` in template.yaml allows for.
#[cfg(feature = "bot")]
pub const MAX_DECODE_BYTES: u64 = 128 * 1024 * 1024;

/// The photo as JPEG: JPEG bytes untouched, any other image format decoded and encoded. The
/// decoder is held to [`MAX_PHOTO_SIDE`] and [`MAX_DECODE_BYTES`]: a small file that declares a
/// huge picture is refused before anything is allocated for it. At most two copies of the
/// picture are held at once: the file while it is decoded, then the decoded pixels while they
/// are encoded (8-bit pixels, with or without alpha, are encoded as they are, not converted
/// into another copy first).
#[cfg(feature = "bot")]
pub fn photo_as_jpeg(bytes: Vec<u8>) -> Result<Vec<u8>, image::ImageError> {
    use image::DynamicImage;
    if is_jpeg(&bytes) {
        return Ok(bytes);
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = image::ImageReader::new(Cursor::new(&bytes)).with_guessed_format()?;
    reader.limits(limits);
    let decoded = reader.decode()?;
    drop(bytes);
    let mut out = Cursor::new(Vec::new());
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    match decoded {
        DynamicImage::ImageLuma8(image) => encoder.encode_image(&image)?,
        DynamicImage::ImageLumaA8(image) => encoder.encode_image(&image)?,
        DynamicImage::ImageRgb8(image) => encoder.encode_image(&image)?,
        DynamicImage::ImageRgba8(image) => encoder.encode_image(&image)?,
        // 16-bit and floating-point pictures: converted to 8 bits (the only depth JPEG has).
        other => encoder.encode_image(&other.into_rgb8())?,
    }
    Ok(out.into_inner())
}

/// The object key of an attachment: `files/<file_unique_id>/<safe name>`. Derived from the
/// file, so a retried update writes the same object again rather than a second one.
pub fn object_key(unique_id: &str, name: &str) -> String {
    format!("files/{}/{}", clean(unique_id).unwrap_or_else(|| "file".into()), safe_name(name))
}

/// Keeps ASCII letters, digits, `.`, `_` and `-` and the extension; everything else (Cyrillic
/// included) becomes `_`. The original name lives in the attachment record and the object's
/// metadata.
pub fn safe_name(name: &str) -> String {
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if (1..=10).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            (stem, Some(ext.to_ascii_lowercase()))
        }
        _ => (name, None),
    };
    let stem = clean(stem).unwrap_or_else(|| "file".into());
    match extension {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

fn clean(text: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let out: String = out.trim_matches(|c| c == '.' || c == '_').chars().take(100).collect();
    (!out.is_empty()).then_some(out)
}

#[cfg(all(test, feature = "bot"))]
mod tests {
    use super::*;

    #[test]
    fn a_photo_declaring_a_huge_picture_is_refused() {
        let mut wide = Cursor::new(vec![]);
        image::GrayImage::new(MAX_PHOTO_SIDE + 1, 1).write_to(&mut wide, image::ImageFormat::Png).unwrap();
        let refused = photo_as_jpeg(wide.into_inner());
        assert!(matches!(refused, Err(image::ImageError::Limits(_))), "{refused:?}");
        let mut fits = Cursor::new(vec![]);
        image::GrayImage::new(MAX_PHOTO_SIDE, 1).write_to(&mut fits, image::ImageFormat::Png).unwrap();
        assert!(is_jpeg(&photo_as_jpeg(fits.into_inner()).unwrap()));
    }

    #[test]
    fn jpeg_bytes_pass_through_untouched() {
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
        assert_eq!(photo_as_jpeg(jpeg.clone()).unwrap(), jpeg, "not decoded, so garbage after the marker survives");
    }

    #[test]
    fn transparent_grey_and_deep_pictures_become_jpeg() {
        let encoded = |image: image::DynamicImage| {
            let mut png = Cursor::new(vec![]);
            image.write_to(&mut png, image::ImageFormat::Png).unwrap();
            let jpeg = photo_as_jpeg(png.into_inner()).unwrap();
            image::load_from_memory(&jpeg).unwrap()
        };
        let rgba = encoded(image::RgbaImage::from_pixel(9, 5, image::Rgba([10, 200, 10, 128])).into());
        assert_eq!((rgba.width(), rgba.height()), (9, 5));
        let green = rgba.to_rgb8().get_pixel(4, 2).0;
        assert!(green[1] > 180 && green[0] < 40, "the colour is kept, the alpha dropped: {green:?}");
        let grey = encoded(image::GrayAlphaImage::from_pixel(3, 3, image::LumaA([77, 255])).into());
        assert!(grey.to_luma8().get_pixel(1, 1).0[0].abs_diff(77) < 4);
        let deep =
            encoded(image::ImageBuffer::<image::Rgb<u16>, _>::from_pixel(4, 4, image::Rgb([65535, 0, 0])).into());
        assert!(deep.to_rgb8().get_pixel(1, 1).0[0] > 240);
    }

    #[test]
    fn png_becomes_jpeg() {
        let mut png = Cursor::new(vec![]);
        image::RgbImage::from_pixel(4, 3, image::Rgb([200, 10, 10]))
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        let jpeg = photo_as_jpeg(png.into_inner()).unwrap();
        assert!(is_jpeg(&jpeg));
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (4, 3));
    }

    #[test]
    fn keys_are_safe_and_keep_the_extension() {
        assert_eq!(object_key("AgAD-1", "Счёт за март 2026.pdf"), "files/AgAD-1/2026.pdf");
        assert_eq!(object_key("u1", "../../etc/passwd"), "files/u1/etc_passwd");
        assert_eq!(object_key("u1", "отчёт.xlsx"), "files/u1/file.xlsx");
        assert_eq!(object_key("u1", "report v2.final.docx"), "files/u1/report_v2.final.docx");
        assert_eq!(object_key("", "Фото"), "files/file/file");
        assert_eq!(object_key("u1", "photo.JPG"), "files/u1/photo.jpg");
    }
}
