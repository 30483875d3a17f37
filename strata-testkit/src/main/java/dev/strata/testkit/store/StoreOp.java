package dev.strata.testkit.store;

/** The calls of {@link dev.strata.core.store.ObjectStore}, for counting and fault plans. */
public enum StoreOp {
    HEAD, READ, PUT, START_UPLOAD, UPLOAD_PART, COMPLETE_UPLOAD, ABORT_UPLOAD, DELETE, LIST, COPY, SET_METADATA
}
