package dev.strata.store.azure;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import dev.strata.core.store.ObjectStoreException;
import dev.strata.core.store.StoreFailures;

/**
 * The one place where Azure's failures become the port's four kinds. Messages name the store, the
 * operation and key, the HTTP status and Azure's error code, and say what to do where that is
 * clear.
 *
 * <ul>
 *   <li>404 BlobNotFound → NotFound; 404 ContainerNotFound → Permanent (a missing container is an
 *       operator's problem, not a missing key).</li>
 *   <li>412 ConditionNotMet → PreconditionFailed.</li>
 *   <li>429, 503 (ServerBusy, the account's throttling) → Transient, throttled; 408, 500, 502,
 *       504 and anything that never got an answer (connection refused or reset, a timeout) →
 *       Transient.</li>
 *   <li>Every other status (400 Md5Mismatch, InvalidBlockList, 403 AuthenticationFailed, 409 …)
 *       → Permanent: the same request will be refused again.</li>
 * </ul>
 */
final class AzureErrors {
    private AzureErrors() {}

    static ObjectStoreException map(String where, String operation, String key, RuntimeException e) {
        String subject = where + ": " + operation + (key == null ? "" : " \"" + key + "\"");
        if (e instanceof BlobStorageException bse) {
            return mapStatus(subject, bse);
        }
        if (StoreFailures.noAnswer(e)) {
            return new ObjectStoreException.Transient(subject + " failed without an answer from Azure: "
                    + StoreFailures.rootMessage(e), false, e);
        }
        // Not a service answer and not the network: the SDK refused the request itself (a bad
        // argument, a credential that cannot sign). Repeating it will not help.
        return new ObjectStoreException.Permanent(subject + " failed in the Azure SDK: " + StoreFailures.rootMessage(e), e);
    }

    private static ObjectStoreException mapStatus(String subject, BlobStorageException e) {
        int status = e.getStatusCode();
        BlobErrorCode code = e.getErrorCode();
        String codeName = code == null ? "(no error code)" : code.toString();
        String what = subject + " failed: HTTP " + status + " " + codeName + serviceMessage(e);
        if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
            return new ObjectStoreException.Permanent(what + "; the container does not exist: create it (az storage"
                    + " container create --name NAME) or open the store with createContainer", e);
        }
        return switch (status) {
            case 404 -> new ObjectStoreException.NotFound(what);
            case 412 -> new ObjectStoreException.PreconditionFailed(what);
            case 429, 503 -> new ObjectStoreException.Transient(what, true, e);
            case 408, 500, 502, 504 -> new ObjectStoreException.Transient(what, false, e);
            case 401, 403 -> new ObjectStoreException.Permanent(what
                    + "; check AZURE_STORAGE_CONNECTION_STRING (account name and key) and the machine's clock", e);
            default -> new ObjectStoreException.Permanent(what, e);
        };
    }

    /** Azure's own sentence, first line only (the rest is request id and time). */
    private static String serviceMessage(BlobStorageException e) {
        String message = e.getServiceMessage();
        if (message == null || message.isBlank()) {
            return "";
        }
        int newline = message.indexOf('\n');
        return " (" + (newline < 0 ? message : message.substring(0, newline)).strip() + ")";
    }
}
