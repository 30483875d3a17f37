package dev.strata.bench;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * S3 through AWS SDK v2's synchronous client on the same HTTP client as Strata's adapter (Apache
 * HttpClient 5, checksums "when required"). Upload: PutObject up to one part, above it a multipart
 * upload of 16 MiB parts, four in flight (Strata's part size and parallelism). Download: one
 * GetObject streamed to a file ({@code ResponseTransformer.toFile}), the SDK's plain way to fetch
 * an object.
 */
final class RawS3 implements RawStore {
    private final S3Client s3;
    private final String bucket;

    RawS3(URI endpoint, String bucket, String accessKey, String secretKey, String region) {
        this.bucket = bucket;
        this.s3 = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(64))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String describe() {
        return "AWS SDK v2 S3Client (Apache5): PutObject / multipart of " + (PART_BYTES >> 20) + " MiB parts, "
                + PARALLELISM + " in flight; GetObject to a file";
    }

    @Override
    public void upload(String key, Path file) throws Exception {
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
        }
        if (size <= PART_BYTES) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
            return;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        int parts = (int) ((size + PART_BYTES - 1) / PART_BYTES);
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            List<Future<CompletedPart>> futures = new ArrayList<>();
            for (int i = 1; i <= parts; i++) {
                int number = i;
                futures.add(pool.submit(() -> {
                    long offset = (number - 1) * PART_BYTES;
                    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(PART_BYTES, size - offset));
                    while (buf.hasRemaining()) {
                        if (ch.read(buf, offset + buf.position()) < 0) {
                            throw new IllegalStateException(file + " shrank while uploading");
                        }
                    }
                    String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                            .contentLength((long) buf.capacity()), RequestBody.fromBytes(buf.array())).eTag();
                    return CompletedPart.builder().partNumber(number).eTag(etag).build();
                }));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : futures) {
                done.add(f.get());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(done)));
        } catch (Exception e) {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            throw e;
        }
    }

    @Override
    public void download(String key, Path dest) {
        s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toFile(dest));
    }

    @Override
    public void close() {
        s3.close();
    }
}
