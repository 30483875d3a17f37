package dev.strata.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The adapter's pure parts, without Azurite. */
class AzureUnitTest {

    @Test
    void locationsParse() {
        assertThat(AzureLocation.parse(URI.create("az://tier"))).isEqualTo(new AzureLocation("tier", ""));
        AzureLocation nested = AzureLocation.parse(URI.create("az://tier-2/a/b/"));
        assertThat(nested).isEqualTo(new AzureLocation("tier-2", "a/b"));
        assertThat(nested.namePrefix()).isEqualTo("a/b/");
        assertThat(nested.describe()).isEqualTo("az://tier-2/a/b");
        assertThatThrownBy(() -> AzureLocation.parse(URI.create("az://a--b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AzureLocation.parse(URI.create("az://ok/a/../b"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void uploadIdsCarryTheirMetadataAndNameTheirBlocks() {
        byte[] nonce = new byte[UploadId.NONCE_BYTES];
        nonce[3] = 7;
        UploadId id = new UploadId(nonce, Map.of("file-owner", "1000", "file-mtime", "a=b c"));
        UploadId decoded = UploadId.decode(id.encode()).orElseThrow();
        assertThat(decoded).isEqualTo(id);
        assertThat(id.blockId(1)).hasSameSizeAs(id.blockId(50_000)).hasSameSizeAs(id.abortBlockId());
        assertThat(id.owns(id.blockId(9))).isTrue();
        assertThat(new UploadId(new byte[UploadId.NONCE_BYTES], Map.of()).owns(id.blockId(9))).isFalse();
        for (String bogus : new String[] {"no-such-upload-id", "az1.zz.", "az1." + "0".repeat(32) + ".!!", ""}) {
            assertThat(UploadId.decode(bogus)).as(bogus).isEmpty();
        }
    }

    @Test
    void metadataNamesMapBothWays() {
        Map<String, String> azure = AzureNames.toAzure(Map.of("file-permissions", "0100644"), true);
        assertThat(azure).isEqualTo(Map.of("file_permissions", "0100644", "hdi_isfolder", "true"));
        assertThat(AzureNames.isFolder(azure)).isTrue();
        assertThat(AzureNames.fromAzure(azure)).isEqualTo(Map.of("file-permissions", "0100644"));
    }

    @Test
    void listingEmitsOnlyWhatAzuresUtf16OrderCannotStillPrecede() {
        assertThat(AzureListing.safe("a/b", "a/b")).isTrue();
        assertThat(AzureListing.safe("a/b/", "a/b")).as("marker waits for a/b-x, a/b.x").isFalse();
        assertThat(AzureListing.safe("a/b/", "a/b/c")).isTrue();
        // x😀 precedes x\uFFFD in UTF-16 but follows it in UTF-8: wait until Azure leaves "x".
        assertThat(AzureListing.safe("x\uD83D\uDE00", "x\uD83D\uDE00")).isFalse();
        assertThat(AzureListing.safe("x\uD83D\uDE00", "x\uFFFF")).isFalse();
        assertThat(AzureListing.safe("x\uD83D\uDE00", "y")).isTrue();
    }
}
