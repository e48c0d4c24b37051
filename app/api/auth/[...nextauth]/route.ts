import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/config";
import { refuseCrossSite } from "@/lib/http/same-origin";

export const { GET } = handlers;
export const POST = (request: NextRequest) => refuseCrossSite(request) ?? handlers.POST(request);
