# remsgate application image. Build: docker build -t remsgate .
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx next build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=build /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD node -e "fetch('http://127.0.0.1:3000/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Apply pending migrations, then serve.
# exec: the server itself is PID 1 and gets SIGTERM (graceful shutdown), not a shell or npm.
CMD ["sh", "-c", "npm run db:migrate && exec node --max-semi-space-size=16 --max-old-space-size=320 --import tsx scripts/serve.ts"]
