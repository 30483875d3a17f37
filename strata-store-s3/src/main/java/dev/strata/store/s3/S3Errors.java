package dev.strata.store.s3;

import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.StoreFailures;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The one place where S3's answers become the port's error classes. Every message names the store,
 * the operation, the key, the HTTP status and S3's error code, so an operator can act on one line.
 *
 * <p>Arguable choices, each with its reason:
 * <ul>
 *   <li>404 NoSuchBucket is {@code Permanent}, not {@code NotFound}: the port lists a missing bucket
 *       among the permanent errors, and a caller treating it as "key absent" (delete, head) would
 *       silently lose track of every object.</li>
 *   <li>Every 503 is throttling, not only SlowDown: S3 answers 503 when a prefix is overloaded, and
 *       backing off harder is right for an overloaded server whatever code it gives.</li>
 *   <li>400 RequestTimeout (the server gave up waiting for our body) and 409 OperationAborted /
 *       ConditionalRequestConflict are {@code Transient}: the same request can succeed later.</li>
 *   <li>A client-side failure is {@code Transient} only if an I/O error or a timeout caused it;
 *       anything else the SDK refuses before sending (bad configuration) will fail again.</li>
 * </ul>
 */
final class S3Errors {
    private S3Errors() {}

    /**
     * Maps {@code e}, thrown by {@code op} on {@code key} of {@code store}, to the port's error.
     *
     * @param key the port's key (or upload), for the message; may be null for bucket-level calls
     */
    static ObjectStoreException map(String store, String op, String key, SdkException e) {
        String where = store + ": " + op + (key == null ? "" : " \"" + key + "\"");
        if (e instanceof SdkServiceException service) {
            return mapService(where, service);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new ObjectStoreException.Transient(where + ": timed out: " + e.getMessage(), false, e);
        }
        if (e instanceof AbortedException) {
            // The calling thread was interrupted; keep the flag for the caller to see.
            Thread.currentThread().interrupt();
            return new ObjectStoreException.Transient(where + ": interrupted", false, e);
        }
        if (e instanceof SdkClientException && (StoreFailures.noAnswer(e) || e.retryable())) {
            return new ObjectStoreException.Transient(where + ": no answer from the server: " + StoreFailures.rootMessage(e), false, e);
        }
        return new ObjectStoreException.Permanent(where + ": " + e.getMessage(), e);
    }

    private static ObjectStoreException mapService(String where, SdkServiceException e) {
        int status = e.statusCode();
        String code = errorCode(e);
        String detail = where + ": HTTP " + status + (code == null ? "" : " " + code)
                + serverMessage(e) + requestId(e);
        return switch (status) {
            case 404 -> "NoSuchBucket".equals(code)
                    ? new ObjectStoreException.Permanent(detail + "; the bucket does not exist: create it or fix the s3:// URI", e)
                    : new ObjectStoreException.NotFound(detail);
            case 412 -> new ObjectStoreException.PreconditionFailed(detail);
            case 429, 503 -> new ObjectStoreException.Transient(detail, true, e);
            case 403 -> new ObjectStoreException.Permanent(detail + "; " + credentialsHint(code), e);
            case 400 -> "RequestTimeout".equals(code)
                    ? new ObjectStoreException.Transient(detail, false, e)
                    : new ObjectStoreException.Permanent(detail, e);
            case 409 -> "OperationAborted".equals(code) || "ConditionalRequestConflict".equals(code)
                    ? new ObjectStoreException.Transient(detail, false, e)
                    : new ObjectStoreException.Permanent(detail, e);
            default -> status >= 500
                    ? new ObjectStoreException.Transient(detail, false, e)
                    : new ObjectStoreException.Permanent(detail, e);
        };
    }

    /** What an operator should check after a 403. */
    static String credentialsHint(String code) {
        if ("RequestTimeTooSkewed".equals(code)) {
            return "this machine's clock is off by more than 15 minutes: fix it (NTP)";
        }
        if ("ExpiredToken".equals(code) || "TokenRefreshRequired".equals(code)) {
            return "the session token expired: renew AWS_SESSION_TOKEN or the profile's credentials";
        }
        return "the credentials were refused or lack permission: check AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the bucket's policy";
    }

    static String errorCode(SdkServiceException e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            String code = aws.awsErrorDetails().errorCode();
            if (code != null && !code.isBlank()) {
                return code;
            }
        }
        return null;
    }

    private static String serverMessage(SdkServiceException e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            String message = aws.awsErrorDetails().errorMessage();
            if (message != null && !message.isBlank()) {
                return ": " + message;
            }
        }
        return "";
    }

    private static String requestId(SdkServiceException e) {
        String id = e.requestId();
        return id == null || id.isBlank() ? "" : " (request id " + id + ")";
    }
}
