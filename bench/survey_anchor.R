# The R anchor of bench/bench_survey.py: R's survey package on the same responses.csv.
#
#   Rscript bench/survey_anchor.R responses.csv spec.csv RUNS
#
# spec.csv lists the columns to estimate (column, kind: factor | share | number, missing codes
# separated by spaces). Prints the best of RUNS runs, in seconds, of: read.csv2; rake() on the
# three margins (with weights capped at 5 times the mean, as panelsite's cap: 5); svymean() of
# every column. R's start and library(survey) are not counted.

suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
spec <- read.csv(args[2], stringsAsFactors = FALSE, colClasses = "character")
best <- c(Inf, Inf, Inf)
for (run in seq_len(as.integer(args[3]))) {
  t0 <- proc.time()[["elapsed"]]
  d <- read.csv2(args[1], stringsAsFactors = FALSE, na.strings = "", colClasses = "character")
  t1 <- proc.time()[["elapsed"]]
  for (v in c("leeftijd", "geslacht", "wijk")) d[[v]] <- factor(d[[v]])
  for (i in seq_len(nrow(spec))) {
    col <- spec$column[i]
    x <- d[[col]]
    if (spec$kind[i] == "number") {
      d[[col]] <- as.numeric(sub(",", ".", x))
    } else {
      if (nchar(spec$missing[i]) > 0) x[x %in% strsplit(spec$missing[i], " ")[[1]]] <- NA
      d[[col]] <- if (spec$kind[i] == "share") as.numeric(x) else factor(x)
    }
  }
  design <- svydesign(ids = ~1, data = d)
  margins <- list(
    data.frame(leeftijd = c("18-34", "35-49", "50-64", "65+"), Freq = c(9800, 8700, 9900, 9100)),
    data.frame(geslacht = c("man", "vrouw"), Freq = c(18500, 19000)),
    data.frame(wijk = c("Centrum", "Havenkwartier", "Lindenhof", "Noordveld", "Buitengebied"),
               Freq = c(7400, 6100, 9800, 8900, 5300)))
  raked <- rake(design, list(~leeftijd, ~geslacht, ~wijk), margins, control = list(maxit = 100, epsilon = 1e-6))
  raked <- trimWeights(raked, upper = 5 * mean(weights(raked)), strict = TRUE)
  t2 <- proc.time()[["elapsed"]]
  for (col in spec$column) invisible(svymean(as.formula(paste0("~", col)), raked, na.rm = TRUE))
  t3 <- proc.time()[["elapsed"]]
  best <- pmin(best, c(t1 - t0, t2 - t1, t3 - t2))
}
cat(best, "\n")
