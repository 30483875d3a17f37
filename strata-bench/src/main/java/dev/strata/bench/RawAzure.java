package dev.strata.bench;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobDownloadToFileOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Azure Blob through azure-storage-blob on the JDK HTTP client (as Strata's adapter):
 * {@code BlobClient.uploadFromFile} with 16 MiB blocks, four in flight, and a single Put Blob up to
 * one block (Strata's part size, parallelism and put threshold); {@code downloadToFile} with 8 MiB
 * ranges, four in flight (Strata's restore chunk and parallelism).
 */
final class RawAzure implements RawStore {
    private static final Duration CALL_LIMIT = Duration.ofMinutes(30);
    private final BlobContainerClient container;

    RawAzure(String connectionString, String container) {
        this.container = new BlobServiceClientBuilder().connectionString(connectionString)
                .httpClient(new JdkHttpClientBuilder().build()).buildClient().getBlobContainerClient(container);
        this.container.createIfNotExists();
    }

    @Override
    public String name() {
        return "az";
    }

    @Override
    public String describe() {
        return "azure-storage-blob (JDK HTTP client): uploadFromFile with " + (PART_BYTES >> 20) + " MiB blocks, "
                + PARALLELISM + " in flight; downloadToFile with " + (CHUNK_BYTES >> 20) + " MiB ranges, " + PARALLELISM
                + " in flight";
    }

    @Override
    public void upload(String key, Path file) {
        ParallelTransferOptions p = new ParallelTransferOptions().setBlockSizeLong(PART_BYTES)
                .setMaxSingleUploadSizeLong(PART_BYTES).setMaxConcurrency(PARALLELISM);
        container.getBlobClient(key).uploadFromFileWithResponse(
                new BlobUploadFromFileOptions(file.toString()).setParallelTransferOptions(p), CALL_LIMIT, Context.NONE);
    }

    @Override
    public void download(String key, Path dest) {
        // The download options take the common package's class of the same name.
        var p = new com.azure.storage.common.ParallelTransferOptions().setBlockSizeLong(CHUNK_BYTES)
                .setMaxConcurrency(PARALLELISM);
        container.getBlobClient(key).downloadToFileWithResponse(
                new BlobDownloadToFileOptions(dest.toString()).setParallelTransferOptions(p), CALL_LIMIT, Context.NONE);
    }

    @Override
    public void close() {
        // The JDK HTTP client holds no resources that outlive the JVM's use of it.
    }
}
