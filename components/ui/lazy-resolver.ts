"use client";

import { useEffect, useMemo } from "react";
import type { FieldValues, Resolver } from "react-hook-form";

/**
 * A react-hook-form resolver whose validation code (zod, the shared schema and its resolver, about
 * 45 kB compressed) is loaded after the page is interactive rather than with it: `load` is called
 * once, right after the form mounts, and every validation waits for it. The form checks exactly
 * what it checked before, against the same schema as the server; only the download moves out of
 * the page's first load. Without JavaScript the server's field errors are all there is, as before.
 */
export function useLazyResolver<TFieldValues extends FieldValues, TContext, TTransformed>(
  load: () => Promise<Resolver<TFieldValues, TContext, TTransformed>>,
  /** What the loaded resolver depends on (e.g. the form definition its schema is built from). */
  key: unknown = null,
): Resolver<TFieldValues, TContext, TTransformed> {
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` depends on; `load` itself is a new closure at every render.
  const lazy = useMemo(() => {
    let loaded: Promise<Resolver<TFieldValues, TContext, TTransformed>> | null = null;
    const get = () => {
      // A failed download (a network hiccup) is tried again at the next validation.
      loaded ??= load().catch((error: unknown) => {
        loaded = null;
        throw error;
      });
      return loaded;
    };
    const resolver: Resolver<TFieldValues, TContext, TTransformed> = async (values, context, options) =>
      (await get())(values, context, options);
    return { resolver, preload: get };
  }, [key]);
  useEffect(() => {
    lazy.preload().catch(() => undefined);
  }, [lazy]);
  return lazy.resolver;
}
