/**
 * The failure converter of every iscflow process that holds payload keys. Temporal's default leaves a
 * failure's message and stack trace in clear in the history, and ours can quote what ISC or a workflow
 * said about a person; with `encodeCommonAttributes` both move into a payload, which the codec encrypts.
 *
 * This module is loaded by path (`DataConverter.failureConverterPath`) by clients and workers, and bundled
 * into the workflow sandbox, where failures raised by workflow code are converted: it may import nothing
 * but `@temporalio/common`.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
