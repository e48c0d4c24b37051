"use client";

import { type ComponentProps, lazy } from "react";
import type { SignForm as Form } from "./sign-form";

const LazyForm = lazy(() => import("./sign-form").then((m) => ({ default: m.SignForm })));

/**
 * The wizard's review-and-sign form, split out of the page's first load: the server renders it in full, and
 * the browser fetches its code (react-hook-form and the form's own) once the page's scripts run,
 * then hydrates it; its submit button is enabled from then on. No Suspense boundary on purpose:
 * the server waits for the form, so it is in the HTML, never a fallback.
 */
export function SignForm(props: ComponentProps<typeof Form>) {
  return <LazyForm {...props} />;
}
