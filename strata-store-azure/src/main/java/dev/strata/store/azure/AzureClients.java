package dev.strata.store.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.time.Duration;
import java.util.Map;

/**
 * Builds the SDK client with Strata's choices.
 *
 * <p><b>No SDK retries.</b> The SDK's retry policy is set to one try: {@code RetryingObjectStore}
 * owns retries, with its own bounds, backoff and metrics, and two nested retry loops would multiply
 * (the SDK's default is 4 tries with exponential backoff up to 120 s, per call). Reads also get
 * {@code DownloadRetryOptions} of 0 (in {@link AzureBlobObjectStore}).
 *
 * <p><b>Timeouts</b> bound a hung request so it becomes a Transient error: connecting, and each
 * gap between bytes read or written. {@link #TRY_TIMEOUT} bounds one whole request, body
 * included, so it is generous for the largest single put.
 */
final class AzureClients {
    static final String CONNECTION_STRING = "AZURE_STORAGE_CONNECTION_STRING";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration IO_IDLE_TIMEOUT = Duration.ofSeconds(60);
    static final Duration TRY_TIMEOUT = Duration.ofMinutes(30);

    private AzureClients() {}

    static BlobContainerClient container(AzureLocation where, Map<String, String> env) {
        String connection = env.get(CONNECTION_STRING);
        if (connection == null || connection.isBlank()) {
            throw new IllegalArgumentException(where.describe() + ": " + CONNECTION_STRING + " is not set; set it to the"
                    + " storage account's connection string, e.g. DefaultEndpointsProtocol=https;AccountName=NAME;"
                    + "AccountKey=KEY;EndpointSuffix=core.windows.net (UseDevelopmentStorage=true for Azurite on port 10000)");
        }
        HttpClient http = new JdkHttpClientBuilder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .readTimeout(IO_IDLE_TIMEOUT)
                .writeTimeout(IO_IDLE_TIMEOUT)
                .responseTimeout(TRY_TIMEOUT)
                .build();
        RequestRetryOptions oneTry = new RequestRetryOptions(RetryPolicyType.FIXED, 1, TRY_TIMEOUT, null, null, null);
        try {
            return new BlobServiceClientBuilder()
                    .connectionString(connection)
                    .httpClient(http)
                    .retryOptions(oneTry)
                    .buildClient()
                    .getBlobContainerClient(where.container());
        } catch (IllegalArgumentException e) {
            // The SDK's message names the missing part; never echo the string itself (it holds the key).
            throw new IllegalArgumentException(where.describe() + ": " + CONNECTION_STRING + " is not a usable connection"
                    + " string: " + e.getMessage(), null);
        }
    }
}
