import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

import { CLICKHOUSE_DATASOURCE } from '../clickhouse/clickhouse-datasource';
import { ClickHouseFormat, ClickHouseQueryBuilder } from '../clickhouse/clickhouse-query.builder';
import { templateVariables } from '../common/variables';
import type { DashboardSpec, PanelSpec } from './dashboard-spec.model';

/** Every time series panel buckets at least by the `$interval` variable. */
export const PANEL_MIN_INTERVAL = '$interval';

/** The ClickHouse format a panel's query is sent with. */
export function panelFormat(panel: PanelSpec): ClickHouseFormat {
  return panel.format ?? (panel.visualization === 'timeseries' ? ClickHouseFormat.TimeSeries : ClickHouseFormat.Table);
}

type AnyPanelBuilder =
  | timeseries.PanelBuilder
  | stat.PanelBuilder
  | table.PanelBuilder
  | barchart.PanelBuilder
  | piechart.PanelBuilder
  | bargauge.PanelBuilder;

function visualization(panel: PanelSpec): AnyPanelBuilder {
  switch (panel.visualization) {
    case 'timeseries': {
      const b = new timeseries.PanelBuilder()
        .interval(PANEL_MIN_INTERVAL)
        .lineWidth(1)
        .fillOpacity(panel.stacked || panel.bars ? 60 : 10)
        .spanNulls(false)
        .legend(
          new common.VizLegendOptionsBuilder()
            .displayMode(common.LegendDisplayMode.List)
            .placement(common.LegendPlacement.Bottom)
            .showLegend(true),
        )
        .tooltip(
          new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending),
        );
      if (panel.bars) b.drawStyle(common.GraphDrawStyle.Bars);
      if (panel.stacked) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
      return b;
    }
    case 'stat':
      return new stat.PanelBuilder()
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false).fields(''))
        .graphMode(common.BigValueGraphMode.None)
        .colorMode(common.BigValueColorMode.None)
        .textMode(common.BigValueTextMode.ValueAndName)
        .justifyMode(common.BigValueJustifyMode.Auto);
    case 'table':
      return new table.PanelBuilder().cellHeight(common.TableCellHeight.Sm).filterable(true);
    case 'barchart': {
      const b = new barchart.PanelBuilder()
        .xField(panel.columns[0].name)
        .showValue(common.VisibilityMode.Auto)
        .fillOpacity(70)
        .legend(new common.VizLegendOptionsBuilder().showLegend(true).placement(common.LegendPlacement.Bottom));
      if (panel.stacked) b.stacking(common.StackingMode.Normal);
      return b;
    }
    case 'piechart':
      return new piechart.PanelBuilder()
        .pieType(piechart.PieChartType.Donut)
        .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs(['lastNotNull']).fields(''))
        .displayLabels([piechart.PieChartLabels.Name, piechart.PieChartLabels.Percent])
        .legend(
          new piechart.PieChartLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(common.LegendDisplayMode.Table)
            .placement(common.LegendPlacement.Right)
            .values([piechart.PieChartLegendValues.Value, piechart.PieChartLegendValues.Percent]),
        );
    case 'bargauge':
      return new bargauge.PanelBuilder()
        .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs(['lastNotNull']).fields(''))
        .displayMode(common.BarGaugeDisplayMode.Gradient)
        .orientation(common.VizOrientation.Horizontal);
  }
}

function panelBuilder(panel: PanelSpec, id: number): cog.Builder<dashboard.Panel> {
  const target = new ClickHouseQueryBuilder(panel.sql).refId('A').format(panelFormat(panel));
  const b = visualization(panel)
    .id(id)
    .title(panel.title)
    .description(panel.description)
    .datasource(CLICKHOUSE_DATASOURCE)
    .withTarget(target)
    .span(panel.width ?? 12)
    .height(panel.height ?? 8);
  if (panel.unit) b.unit(panel.unit);
  if (panel.decimals !== undefined) b.decimals(panel.decimals);
  const overrides = new Map<string, { id: string; value: unknown }[]>();
  const add = (column: string, property: { id: string; value: unknown }) =>
    overrides.set(column, [...(overrides.get(column) ?? []), property]);
  for (const [column, unit] of Object.entries(panel.columnUnits ?? {})) add(column, { id: 'unit', value: unit });
  for (const column of panel.rightAxis ?? []) add(column, { id: 'custom.axisPlacement', value: 'right' });
  for (const [column, properties] of overrides) b.overrideByName(column, properties);
  return b;
}

/** Builds the Grafana dashboard model of one spec: variables, collapsible rows, panels with stable ids. */
export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .editable()
    .timezone('utc')
    .time({ from: spec.from, to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .variables([]);
  for (const v of templateVariables()) builder.withVariable({ build: () => v });
  let id = 1;
  for (const row of spec.rows) {
    const rowBuilder = new dashboard.RowBuilder(row.title).id(id++);
    builder.withRow(rowBuilder);
    for (const panel of row.panels) builder.withPanel(panelBuilder(panel, id++));
  }
  const model = builder.build();
  model.id = null;
  model.version = 1;
  return model;
}
