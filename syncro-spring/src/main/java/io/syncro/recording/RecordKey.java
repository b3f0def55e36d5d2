package io.syncro.recording;

/**
 * One record of one synchronised class.
 *
 * @param klass the class name
 * @param id the record's id as text
 */
record RecordKey(String klass, String id) {
}
