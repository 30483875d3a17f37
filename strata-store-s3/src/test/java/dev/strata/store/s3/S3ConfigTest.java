package dev.strata.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.core.store.ObjectStoreException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** URI and environment parsing, and the CRC32C wire forms; no server. */
class S3ConfigTest {

    @Test
    void uriGivesBucketAndPrefix() throws Exception {
        S3Config c = S3Config.parse(URI.create("s3://my-bucket/some/prefix"), Map.of("AWS_REGION", "eu-west-1"));
        assertThat(c.bucket()).isEqualTo("my-bucket");
        assertThat(c.prefix()).isEqualTo("some/prefix/");
        assertThat(c.endpoint()).isNull();
        assertThat(c.region()).isEqualTo(Region.EU_WEST_1);
        assertThat(c.describe()).isEqualTo("s3://my-bucket/some/prefix/");
        assertThat(S3Config.parse(URI.create("s3://b-1/"), Map.of("AWS_REGION", "us-east-1")).prefix()).isEmpty();
    }

    @Test
    void endpointAndRegionFollowTheAwsPrecedence() throws Exception {
        S3Config c = S3Config.parse(URI.create("s3://bkt"), Map.of("AWS_ENDPOINT_URL", "http://other:1",
                "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000", "AWS_DEFAULT_REGION", "eu-central-1"));
        assertThat(c.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(c.region()).isEqualTo(Region.EU_CENTRAL_1);
        S3Config d = S3Config.parse(URI.create("s3://bkt"), Map.of("AWS_ENDPOINT_URL", "https://minio.local"));
        assertThat(d.region()).as("default with a custom endpoint").isEqualTo(Region.US_EAST_1);
        S3Config e = S3Config.parse(URI.create("s3://bkt"), Map.of("AWS_REGION", "ap-south-1", "AWS_DEFAULT_REGION", "x"));
        assertThat(e.region()).isEqualTo(Region.AP_SOUTH_1);
    }

    @Test
    void badUrisAndEndpointsArePermanent() {
        for (String uri : List.of("file:///tmp", "s3:///no-bucket", "s3://Upper/x", "s3://b/x?versionId=1", "s3://ab",
                "s3://bkt/a//b", "s3://bkt/a/../b")) {
            assertThatThrownBy(() -> S3Config.parse(URI.create(uri), Map.of("AWS_REGION", "us-east-1"))).as(uri)
                    .isInstanceOf(ObjectStoreException.Permanent.class);
        }
        assertThatThrownBy(() -> S3Config.parse(URI.create("s3://bkt"), Map.of("AWS_ENDPOINT_URL", "localhost:9000")))
                .isInstanceOf(ObjectStoreException.Permanent.class).hasMessageContaining("AWS_ENDPOINT_URL");
    }

    @Test
    void crc32cTravelsAsBase64OfItsBigEndianBytes() {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(Crc32cWire.base64((int) crc.getValue())).isEqualTo("mnG7TA==");
        String tag = Crc32cWire.partTag("\"abc-2\"", (int) crc.getValue());
        assertThat(Crc32cWire.etagOf(tag)).isEqualTo("\"abc-2\"");
        assertThat(Crc32cWire.checksumOf(tag)).isEqualTo("mnG7TA==");
        assertThat(Crc32cWire.checksumOf("\"plain\"")).isNull();
        // The composite of one part is the CRC32C of its four checksum bytes.
        java.util.zip.CRC32C outer = new java.util.zip.CRC32C();
        outer.update(java.util.Base64.getDecoder().decode("mnG7TA=="));
        assertThat(Crc32cWire.composite(List.of("mnG7TA=="))).isEqualTo(Crc32cWire.base64((int) outer.getValue()));
    }
}
