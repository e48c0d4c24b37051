"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState, useTransition } from "react";
import { TextAreaField } from "@/components/admin/text-area-field";
import { FormBanner, TextField } from "@/components/ui/field";
import { addLinkAction, addNoteAction } from "@/lib/noncompliance/actions";
import { EVIDENCE_MAX_BYTES } from "@/lib/noncompliance/evidence";
import { LINK_REFERENCE_HINTS, LINK_TYPE_LABELS, LINK_TYPES, type LinkType } from "@/lib/noncompliance/schema";

type Feedback = { kind: "ok" | "error"; message: string; field?: string } | null;

function useFeedback() {
  const router = useRouter();
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [pending, startTransition] = useTransition();
  function run(
    work: () => Promise<{ ok: boolean; message?: string; field?: string }>,
    done: string,
    reset: () => void,
  ) {
    setFeedback(null);
    startTransition(async () => {
      const result = await work();
      if (result.ok) {
        reset();
        setFeedback({ kind: "ok", message: done });
        router.refresh();
      } else {
        setFeedback({ kind: "error", message: result.message ?? "Nothing was added.", field: result.field });
      }
    });
  }
  return { feedback, pending, run };
}

export function NoteForm({ caseId }: { caseId: string }) {
  const { feedback, pending, run } = useFeedback();
  const [note, setNote] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    run(
      async () => {
        const r = await addNoteAction({ caseId, note });
        return r.ok ? { ok: true } : { ok: false, message: r.message, field: r.fields?.note?.[0] };
      },
      "Note added.",
      () => setNote(""),
    );
  }
  return (
    <form onSubmit={submit} noValidate className="card" aria-labelledby="note-title">
      <h3 id="note-title">Add a note</h3>
      {feedback ? <FormBanner kind={feedback.kind}>{feedback.message}</FormBanner> : null}
      <TextAreaField
        id="evidence-note"
        label="Note"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        error={feedback?.kind === "error" ? feedback.field : undefined}
      />
      <button type="submit" className="button" disabled={pending}>
        Add the note
      </button>
    </form>
  );
}

export function LinkForm({ caseId }: { caseId: string }) {
  const { feedback, pending, run } = useFeedback();
  const [linkType, setLinkType] = useState<LinkType>("DISPENSE_AUTHORIZATION");
  const [reference, setReference] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    run(
      async () => {
        const r = await addLinkAction({ caseId, linkType, reference });
        return r.ok ? { ok: true } : { ok: false, message: r.message, field: r.fields?.reference?.[0] };
      },
      "Record linked.",
      () => setReference(""),
    );
  }
  return (
    <form onSubmit={submit} noValidate className="card" aria-labelledby="link-title">
      <h3 id="link-title">Link a record</h3>
      {feedback ? <FormBanner kind={feedback.kind}>{feedback.message}</FormBanner> : null}
      <div className="field">
        <label htmlFor="evidence-link-type">Kind of record</label>
        <select id="evidence-link-type" value={linkType} onChange={(e) => setLinkType(e.target.value as LinkType)}>
          {LINK_TYPES.map((t) => (
            <option key={t} value={t}>
              {LINK_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      <TextField
        id="evidence-link-reference"
        label="Which record"
        hint={LINK_REFERENCE_HINTS[linkType]}
        value={reference}
        maxLength={120}
        onChange={(e) => setReference(e.target.value)}
        error={feedback?.kind === "error" ? feedback.field : undefined}
      />
      <button type="submit" className="button" disabled={pending}>
        Link the record
      </button>
    </form>
  );
}

export function FileForm({ caseId }: { caseId: string }) {
  const { feedback, pending, run } = useFeedback();
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  function submit(event: FormEvent) {
    event.preventDefault();
    run(
      async () => {
        if (!file) return { ok: false, message: "Choose a file to upload.", field: "Choose a file to upload" };
        if (file.size > EVIDENCE_MAX_BYTES) {
          const message = `The file is larger than the maximum of ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB.`;
          return { ok: false, message, field: message };
        }
        const body = new FormData();
        body.set("file", file);
        const response = await fetch(`/admin/non-compliance/${caseId}/evidence`, { method: "POST", body });
        if (response.ok) return { ok: true };
        const answer = (await response.json().catch(() => null)) as {
          error?: { message?: string; fields?: { file?: string[] } };
        } | null;
        const message = answer?.error?.message ?? "The file was not stored. Try again.";
        return { ok: false, message, field: answer?.error?.fields?.file?.[0] ?? message };
      },
      "File stored.",
      () => {
        setFile(null);
        setInputKey((k) => k + 1);
      },
    );
  }
  return (
    <form onSubmit={submit} noValidate className="card" aria-labelledby="file-title">
      <h3 id="file-title">Upload a file</h3>
      {feedback ? <FormBanner kind={feedback.kind}>{feedback.message}</FormBanner> : null}
      <TextField
        key={inputKey}
        id="evidence-file"
        label="File"
        type="file"
        accept=".pdf,.png,.jpg,.jpeg,.txt,.csv,application/pdf,image/png,image/jpeg,text/plain,text/csv"
        hint={`PDF, PNG, JPEG, plain text or CSV, at most ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB.`}
        onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        error={feedback?.kind === "error" ? feedback.field : undefined}
      />
      <button type="submit" className="button" disabled={pending}>
        Upload the file
      </button>
    </form>
  );
}
