/* SPDX-License-Identifier: MIT */
/* report_out.c — a built export's life: freed (its bytes wiped: they hold names), and recorded
 * in the platform's handover ledger as attendance's before it is handed over. */
#include "attendance/report.h"

#include "app.h"
#include "attendance/attendance.h"
#include "ledger/ledger.h"
#include "vault/vault.h"

void report_out_free(struct report_out *out)
{
	if (!out)
		return;
	if (out->data.data)
		vault_wipe(out->data.data, out->data.len); /* it holds names */
	buf_free(&out->data);
	buf_free(&out->lossy_list);
}

enum err report_record(struct app *a, const char *actor, const struct report_out *out,
		       int64_t *ledger_id)
{
	struct ledger_item it = {.service = ATTENDANCE_SERVICE,
				 .actor = actor,
				 .content = out->content,
				 .object = out->object,
				 .records = out->records,
				 .lossy = out->lossy,
				 .data = out->data.data,
				 .len = out->data.len};
	return ledger_record(a, &it, ledger_id);
}
