//! S3 adapter: the attachments bucket.

use crate::ports::{BoxError, FileStore, StoreError};
use aws_sdk_s3::primitives::ByteStream;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use std::time::Duration;

pub use aws_sdk_s3::Client as S3Client;

#[derive(Clone, Debug)]
pub struct S3Files {
    client: S3Client,
    bucket: String,
}

/// Builds the S3 client; with a custom endpoint (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`,
/// e.g. the local S3 server) it uses path-style addressing, presigned URLs included.
pub fn client(sdk: &aws_config::SdkConfig) -> S3Client {
    let custom_endpoint =
        std::env::var_os("AWS_ENDPOINT_URL_S3").is_some() || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    // Files up to 20 MB: more time per attempt than the shared configuration's DynamoDB-sized one.
    let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(20))
        .build();
    let config =
        aws_sdk_s3::config::Builder::from(sdk).force_path_style(custom_endpoint).timeout_config(timeouts).build();
    S3Client::from_conf(config)
}

impl S3Files {
    pub fn new(client: S3Client, bucket: impl Into<String>) -> Self {
        S3Files { client, bucket: bucket.into() }
    }

    /// A presigned GET of an object, valid for `valid_for` (staff links live minutes).
    pub async fn presigned_get(&self, key: &str, valid_for: Duration) -> Result<String, StoreError> {
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(valid_for)
            .map_err(|e| StoreError::Unavailable(Box::new(e) as BoxError))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e) as BoxError))?;
        Ok(request.uri().to_owned())
    }

    /// An object's length and its bytes as they arrive (a notice's file, streamed to Telegram).
    pub async fn open(&self, key: &str) -> Result<(u64, ByteStream), StoreError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e) as BoxError))?;
        let length = object.content_length().and_then(|n| u64::try_from(n).ok()).unwrap_or(0);
        Ok((length, object.body))
    }

    /// Reads an object back (tests and tools).
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let (_, body) = self.open(key).await?;
        let bytes = body.collect().await.map_err(|e| StoreError::Unavailable(Box::new(e) as BoxError))?;
        Ok(bytes.into_bytes().to_vec())
    }
}

impl FileStore for S3Files {
    async fn put_file(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
        original_name: &str,
    ) -> Result<(), StoreError> {
        // The buffer becomes the request body as it is (`Vec` -> `Bytes`, no copy; a retry
        // shares it), so a file is held once on its way to the bucket.
        // S3 metadata travels in HTTP headers (ASCII): the original name is percent-encoded,
        // and Content-Disposition carries it the RFC 6266 way for downloads.
        let encoded = header_name(original_name);
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_disposition(format!("attachment; filename*=UTF-8''{encoded}"))
            .metadata("original-name", encoded)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e) as BoxError))?;
        Ok(())
    }
}

/// The most of a percent-encoded name the headers carry: S3 takes 2 KB of user metadata and
/// 8 KB of headers in all (more is refused whatever the retry).
const HEADER_NAME_MAX: usize = 1024;

/// The original name percent-encoded, cut at a character to [`HEADER_NAME_MAX`] bytes. The
/// whole name stays in the attachment record.
fn header_name(original: &str) -> String {
    let mut encoded = String::new();
    for c in original.chars() {
        let piece = utf8_percent_encode(c.encode_utf8(&mut [0; 4]), NON_ALPHANUMERIC).to_string();
        if encoded.len() + piece.len() > HEADER_NAME_MAX {
            break;
        }
        encoded.push_str(&piece);
    }
    encoded
}

/// Staff links to attachments live minutes, not days.
pub const LINK_LIFETIME: Duration = Duration::from_secs(15 * 60);

impl crate::ports::FileLinks for S3Files {
    async fn link(&self, key: &str) -> Result<String, StoreError> {
        self.presigned_get(key, LINK_LIFETIME).await
    }

    async fn upload_link(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        valid_for: Duration,
    ) -> Result<String, StoreError> {
        let unavailable = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Unavailable(e as BoxError);
        let config =
            aws_sdk_s3::presigning::PresigningConfig::expires_in(valid_for).map_err(|e| unavailable(Box::new(e)))?;
        let size = i64::try_from(size).map_err(|e| unavailable(Box::new(e)))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(size)
            .presigned(config)
            .await
            .map_err(|e| unavailable(Box::new(e)))?;
        Ok(request.uri().to_owned())
    }

    async fn stored_size(&self, key: &str) -> Result<Option<u64>, StoreError> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(head) => Ok(Some(head.content_length().and_then(|n| u64::try_from(n).ok()).unwrap_or(0))),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(error) => Err(StoreError::Unavailable(Box::new(error) as BoxError)),
        }
    }

    async fn copy(&self, from: &str, to: &str, content_type: &str, name: &str) -> Result<(), StoreError> {
        let source = format!("{}/{}", self.bucket, utf8_percent_encode(from, NON_ALPHANUMERIC));
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(source)
            .key(to)
            // Replacing the metadata replaces the type too: given again, or S3 stores the copy
            // as binary/octet-stream.
            .content_type(content_type)
            .content_disposition(format!("attachment; filename*=UTF-8''{}", header_name(name)))
            .metadata_directive(aws_sdk_s3::types::MetadataDirective::Replace)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e) as BoxError))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_in_headers_is_encoded_and_bounded() {
        assert_eq!(header_name("Счёт 1.pdf"), "%D0%A1%D1%87%D1%91%D1%82%201%2Epdf");
        let long = header_name(&"я".repeat(1000));
        assert_eq!(long.len(), HEADER_NAME_MAX - HEADER_NAME_MAX % 6, "whole characters only");
        assert!(long.starts_with("%D1%8F"));
    }
}
