package dev.strata.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.store.ObjectStoreException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The mapping of S3's answers to the port's errors, case by case, without a server. */
class S3ErrorsTest {
    private static final String STORE = "s3://bkt/pre/";

    @Test
    void throttlingIsTransientAndThrottled() {
        for (var e : new SdkException[] {s3(503, "SlowDown"), s3(503, "ServiceUnavailable"), s3(429, "TooManyRequests")}) {
            assertThat(map(e)).isInstanceOfSatisfying(ObjectStoreException.Transient.class,
                    t -> assertThat(t.throttled()).isTrue());
        }
    }

    @Test
    void serverErrorsAreTransientNotThrottled() {
        for (int status : new int[] {500, 502, 504}) {
            assertThat(map(s3(status, "InternalError"))).isInstanceOfSatisfying(ObjectStoreException.Transient.class,
                    t -> assertThat(t.throttled()).isFalse());
        }
        assertThat(map(s3(400, "RequestTimeout"))).isInstanceOf(ObjectStoreException.Transient.class);
        assertThat(map(s3(409, "OperationAborted"))).isInstanceOf(ObjectStoreException.Transient.class);
    }

    @Test
    void missingThingsAreNotFoundButAMissingBucketIsPermanent() {
        assertThat(map(s3(404, "NoSuchKey"))).isInstanceOf(ObjectStoreException.NotFound.class);
        assertThat(map(s3(404, "NoSuchUpload"))).isInstanceOf(ObjectStoreException.NotFound.class);
        assertThat(map(s3(404, null))).as("HEAD has no body, so no code").isInstanceOf(ObjectStoreException.NotFound.class);
        assertThat(map(s3(404, "NoSuchBucket"))).isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("bucket does not exist");
    }

    @Test
    void preconditionsAndRefusalsAndCredentials() {
        assertThat(map(s3(412, "PreconditionFailed"))).isInstanceOf(ObjectStoreException.PreconditionFailed.class);
        for (String code : new String[] {"BadDigest", "InvalidRequest", "EntityTooSmall", "InvalidPart", "InvalidDigest"}) {
            assertThat(map(s3(400, code))).as(code).isInstanceOf(ObjectStoreException.Permanent.class);
        }
        assertThat(map(s3(403, "AccessDenied"))).isInstanceOf(ObjectStoreException.Permanent.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID");
        assertThat(map(s3(403, "RequestTimeTooSkewed"))).hasMessageContaining("clock");
    }

    @Test
    void messagesNameStoreOperationKeyStatusCodeAndRequestId() {
        assertThat(map(s3(503, "SlowDown")).getMessage())
                .isEqualTo("s3://bkt/pre/: PutObject \"a/b\": HTTP 503 SlowDown: Please reduce your request rate. "
                        + "(request id REQ1)");
    }

    @Test
    void clientSideFailuresAreTransientOnlyWhenIoOrTimeoutCausedThem() {
        var refused = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectException("Connection refused")).build();
        assertThat(map(refused)).isInstanceOf(ObjectStoreException.Transient.class)
                .hasMessageContaining("ConnectException: Connection refused");
        var readTimeout = SdkClientException.builder().message("x").cause(new SocketTimeoutException("Read timed out")).build();
        assertThat(map(readTimeout)).isInstanceOf(ObjectStoreException.Transient.class);
        assertThat(map(ApiCallAttemptTimeoutException.create(1000))).isInstanceOf(ObjectStoreException.Transient.class);
        assertThat(map(SdkClientException.create("Unable to marshall request"))).isInstanceOf(ObjectStoreException.Permanent.class);
    }

    private static ObjectStoreException map(SdkException e) {
        return S3Errors.map(STORE, "PutObject", "a/b", e);
    }

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status).requestId("REQ1")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code)
                        .errorMessage(code == null ? null : "Please reduce your request rate.").build())
                .build();
    }
}
