# eolgraph service image (used by docker-compose.yml).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --omit=dev && npm cache clean --force
COPY src ./src
COPY seeds ./seeds
EXPOSE 4000
USER node
# The same flags as `npm start` (package.json; the README says why the heap is capped).
CMD ["node", "--max-old-space-size=256", "--heap-growing-percent=100", "--import", "tsx", "src/index.ts"]
